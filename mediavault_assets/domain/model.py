"""Value types shared by the domain core and the assets around it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from mediavault_assets.domain.pickling import tuple_pickled

MediaType = Literal["tv", "movie"]


def stable_id(*parts: str) -> int:
    """A positive 63-bit id derived from text, stable across rescans and processes.

    File ids come from (root key, relative path) so decisions stay attached to a file after a
    rescan; they fit DuckDB's BIGINT and the seeds' INTEGER-ish foreign keys.
    """
    digest = hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogateescape"), digest_size=8)
    return int.from_bytes(digest.digest(), "big") & 0x7FFF_FFFF_FFFF_FFFF


def file_id_for(root_key: str, relative_path: str) -> int:
    return stable_id("file", root_key, relative_path)


@tuple_pickled
@dataclass(frozen=True, slots=True)
class ParsedName:
    """What a file's path says about its content (guessit plus our normalization)."""

    title: str  # display title, e.g. "Red Dwarf"
    title_key: str  # normalized matching key, e.g. "red dwarf"
    media_type: MediaType
    year: int | None = None
    season: int | None = None
    episodes: tuple[int, ...] = ()  # () for movies; (1, 2) for S01E01E02
    episode_title: str | None = None
    edition: str | None = None  # canonical edition name: "Director's Cut", "Extended", ...
    is_3d: bool = False
    part: int | None = None  # CD1 / part1 of a stacked movie
    extra_kind: str | None = None  # "sample", "trailer", "featurette", "extra", ...
    release_group: str | None = None
    screen_size: str | None = None  # what the name claims, e.g. "720p"
    tmdb_id: int | None = None
    imdb_id: str | None = None
    tvdb_id: int | None = None
    parse_error: str | None = None  # e.g. guessit timed out; title then comes from the stem
    # Why the path leaves the identity uncertain (folder and file disagree, no season): the
    # plan lets a person decide on any group holding such a file.
    identity_doubt: str | None = None


@tuple_pickled
@dataclass(frozen=True, slots=True)
class ProbeFacts:
    """What the file's content says about itself (mediainfo, PyAV where needed).

    Codec fields hold lower-case codec ids ("h264", "hevc", "mpeg4", "vp9", "av1", "mpeg2",
    "vc1", "wmv"...; audio "aac", "ac3", "eac3", "dts", "mp3", "opus", "flac", "pcm"...),
    which is what the seed's quality score keys on.
    """

    duration: float | None = None  # seconds
    container: str | None = None  # "mkv", "mp4", "avi", "mpegts", ... (seed column: format)
    video_codec: str | None = None
    audio_codec: str | None = None  # of the first / default audio track
    width: int | None = None
    height: int | None = None
    bitrate: int | None = None  # overall kbps; estimated from size/duration if absent
    framerate: float | None = None
    hdr_type: str = "SDR"  # SDR, HDR10, HDR10+, Dolby Vision, HLG
    audio_channels: float | None = None  # 2.0, 5.1, 7.1 (of the best audio track)
    audio_track_count: int = 0
    subtitle_track_count: int = 0  # embedded text tracks
    audio_languages: tuple[str, ...] = ()  # ISO 639-1, "und" when untagged
    subtitle_languages: tuple[str, ...] = ()  # ISO 639-1 (+ "-sdh"/"-forced"), embedded only
    integrity_error: str | None = None  # truncated / undecodable content
    probe_error: str | None = None  # the file could not be probed at all
    chapters: tuple[Chapter, ...] = ()  # in start order


@tuple_pickled
@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter the container declares (Matroska chapters, MP4 chapter lists)."""

    start_ms: int
    end_ms: int  # the next chapter's start, or the end of the file, where none is stored
    title: str | None = None
    language: str | None = None  # as the container tags the title, e.g. "en"


@tuple_pickled
@dataclass(frozen=True, slots=True)
class Sidecar:
    """A file that belongs to a video and travels with it (subtitles, .nfo)."""

    relative_path: str
    kind: Literal["subtitle", "nfo", "other"]
    language: str | None = None  # ISO 639-1 (+ "-sdh"/"-forced") for subtitles


# A TMDb match at or above this confidence (0-1) identifies a title on its own: the same title
# and year, a year off by one, or the only result of that exact title. Below it (a near title,
# "by far the most popular" of several) a match may bring two files together, but a person
# confirms they are one title.
DECISIVE_MATCH_CONFIDENCE = 0.8


@dataclass(frozen=True, slots=True)
class TmdbMatch:
    """The TMDb title the TMDb asset matched a file's name to (search, ID tag or a person)."""

    tmdb_id: int
    tmdb_type: MediaType
    confidence: float  # 0-1, from tmdb_matching's tiers; 1.0 for ID tags and manual matches

    @property
    def decisive(self) -> bool:
        return self.confidence >= DECISIVE_MATCH_CONFIDENCE


@dataclass(frozen=True, slots=True)
class LibraryFile:
    """Everything the grouping and deletion rules know about one video file."""

    file_id: int
    root_key: str
    relative_path: str
    path: str
    size: int
    device: int
    inode: int
    nlink: int
    mtime: float
    parsed: ParsedName
    probe: ProbeFacts
    md5: str | None = None  # full-file MD5, only for files whose size collides
    sha256: str | None = None  # full-file SHA-256, from the same read as the MD5
    sidecars: tuple[Sidecar, ...] = ()
    original_language: str | None = None  # ISO 639-1 from TMDb, when known
    tmdb_match: TmdbMatch | None = None
    user_score: int = 0  # seed 001's rating: -1 rejected, 0 unrated, 1-5 stars (a person's)
    watch_note: str | None = None  # watched lately or on a watch plan (domain.watching)
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def filename(self) -> str:
        return self.relative_path.rsplit("/", 1)[-1]
