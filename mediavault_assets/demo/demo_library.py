"""A small but realistic demo NAS: two library roots full of the situations MediaVault must handle.

`generate_demo_library(dest)` writes `dest/volume1/videos` and `dest/volume1/docker` (like the
seeds' /volume1/videos and /volume1/docker) with real video files from the media factory, and
`dest/demo_record.json`: every file with its root, relative path, scenarios, what its content is
(codec, resolution, languages...) and what it is (title, year, episode...). Tests and the demo
command use the record as ground truth. The same call always produces the same bytes and mtimes.

    python -m mediavault_assets.demo.demo_library DEST
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from mediavault_assets.demo.media_factory import (
    AudioSpec,
    SubtitleSpec,
    VideoSpec,
    make_video,
    make_zero_byte,
    truncate_file,
)
from mediavault_assets.domain.languages import normalize_language, normalize_subtitle_language
from mediavault_assets.domain.model import MediaType

RECORD_NAME = "demo_record.json"
RECORD_VERSION = 1
# 2024-03-01T00:00:00Z; file n gets BASE + n days, so every scan sees the same mtimes.
BASE_MTIME = 1_709_251_200
_DAY = 86_400

FileKind = Literal["video", "subtitle", "nfo", "other"]
Corruption = Literal["truncated", "zero_byte"]

# Scenario names (a file can take part in several).
EXACT_DUPLICATE = "exact_duplicate"  # byte-identical copies in both roots
RESOLUTION_VERSIONS = "resolution_versions"  # same movie, 1080p H.264 vs 2160p HEVC HDR10
EPISODE_REENCODE = "episode_reencode"  # same episode, 720p H.264 MKV vs 480p MPEG-4 AVI
LANGUAGE_VERSIONS = "language_versions"  # English-audio vs Spanish-only copy of one title
FOREIGN_FILM = "foreign_film"  # non-English audio with English subtitles: keep
MULTI_EPISODE = "multi_episode"  # S01E01E02 beside single-episode files
STACKED_PARTS = "stacked_parts"  # CD1/CD2 of one movie: not duplicates
EDITIONS = "editions"  # Director's Cut beside the theatrical cut: not duplicates
EXTRAS = "extras"  # sample and trailer: not duplicates of the movie
HARDLINK = "hardlink"  # two paths, one inode: deleting one frees nothing
TRUNCATED_COPY = "truncated_copy"  # interrupted copy beside a healthy one
ZERO_BYTE = "zero_byte"
SIDECARS = "sidecars"  # .en.srt, .en.sdh.srt, .nfo travel with their video
AWKWARD_NAMES = "awkward_names"  # unicode, spaces, commas, apostrophes
UNTAGGED_AUDIO = "untagged_audio"  # no language tag: "und"
TV_RECORDING = "tv_recording"  # MPEG-2 transport stream from a DVB recorder
NAS_CLUTTER = "nas_clutter"  # @eaDir / #recycle: scanners must skip these

_SKIPPED_DIRS = frozenset({"@eaDir", "#recycle"})


@dataclass(frozen=True, slots=True)
class DemoRoot:
    key: str  # library root slug
    path: str  # relative to dest, POSIX separators
    library_type: str


@dataclass(frozen=True, slots=True)
class ExpectedMedia:
    """What a probe of the file must report (for corrupt files: what the intact file holds)."""

    container: str
    video_codec: str
    audio_codec: str | None
    width: int
    height: int
    duration: float
    framerate: float
    hdr_type: str
    audio_channels: float | None
    audio_track_count: int
    subtitle_track_count: int
    audio_languages: tuple[str, ...]  # ISO 639-1, "und" when untagged
    subtitle_languages: tuple[str, ...]  # embedded tracks, with "-sdh"/"-forced"
    sidecar_languages: tuple[str, ...] = ()  # sidecar subtitle files next to the video


@dataclass(frozen=True, slots=True)
class ExpectedIdentity:
    """What the file is; `title` is the canonical (TMDb English) title, whatever the name says."""

    title: str
    media_type: MediaType
    year: int | None = None
    season: int | None = None
    episodes: tuple[int, ...] = ()
    edition: str | None = None
    part: int | None = None
    extra_kind: str | None = None


@dataclass(frozen=True, slots=True)
class DemoFile:
    root: str
    relative_path: str
    kind: FileKind
    scenarios: tuple[str, ...]
    size: int
    mtime: float
    media: ExpectedMedia | None = None  # videos only
    identity: ExpectedIdentity | None = None  # videos only
    skipped: bool = False  # inside @eaDir / #recycle: scanners must not report it
    corrupt: Corruption | None = None
    byte_identical_group: str | None = None  # same label = same bytes in separate inodes (copies)
    hardlink_group: str | None = None  # same label = one inode under several paths
    sidecar_of: str | None = None  # relative path of the video this file belongs to
    language: str | None = None  # sidecar subtitles: ISO 639-1 (+ flavour)

    @property
    def ref(self) -> str:
        return f"{self.root}/{self.relative_path}"


@dataclass(frozen=True, slots=True)
class DemoRecord:
    roots: tuple[DemoRoot, ...]
    files: tuple[DemoFile, ...]
    version: int = RECORD_VERSION

    def root_path(self, dest: Path, root_key: str) -> Path:
        return dest / next(r.path for r in self.roots if r.key == root_key)

    def path_of(self, dest: Path, demo_file: DemoFile) -> Path:
        return self.root_path(dest, demo_file.root) / demo_file.relative_path

    def videos(self, *, include_skipped: bool = False) -> tuple[DemoFile, ...]:
        return tuple(
            f for f in self.files if f.kind == "video" and (include_skipped or not f.skipped)
        )

    def with_scenario(self, scenario: str) -> tuple[DemoFile, ...]:
        return tuple(f for f in self.files if scenario in f.scenarios)

    def find(self, root: str, relative_path: str) -> DemoFile:
        for demo_file in self.files:
            if demo_file.root == root and demo_file.relative_path == relative_path:
                return demo_file
        raise KeyError(f"{root}/{relative_path}")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> DemoRecord:
        data = json.loads(text)
        return cls(
            roots=tuple(DemoRoot(**r) for r in data["roots"]),
            files=tuple(_file_from_dict(f) for f in data["files"]),
            version=data["version"],
        )


def load_demo_record(dest: Path) -> DemoRecord:
    return DemoRecord.from_json((dest / RECORD_NAME).read_text(encoding="utf-8"))


def expected_media(spec: VideoSpec) -> ExpectedMedia:
    """The probe facts a file made from `spec` must show (sidecars are added as they are made)."""
    channels = max((a.channels for a in spec.audio), default=None)
    return ExpectedMedia(
        container=spec.container,
        video_codec=spec.video_codec,
        audio_codec=spec.audio[0].codec if spec.audio else None,
        width=spec.width,
        height=spec.height,
        duration=spec.duration_s,
        framerate=spec.fps,
        hdr_type=spec.hdr,
        audio_channels={1: 1.0, 2: 2.0, 6: 5.1, 8: 7.1}[channels] if channels else None,
        audio_track_count=len(spec.audio),
        subtitle_track_count=len(spec.subtitles),
        audio_languages=tuple(normalize_language(a.language) for a in spec.audio),
        subtitle_languages=tuple(
            normalize_subtitle_language(
                s.language,
                flags=("sdh",) * s.hearing_impaired + ("forced",) * s.forced,
            )
            for s in spec.subtitles
        ),
    )


def generate_demo_library(dest: Path) -> DemoRecord:
    """Build the demo NAS under `dest` (which must be empty or absent) and write its record."""
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; the demo library needs a fresh folder")
    builder = _Builder(dest, _ROOTS)
    _build(builder)
    record = builder.finish()
    (dest / RECORD_NAME).write_text(record.to_json(), encoding="utf-8")
    return record


_ROOTS = (
    DemoRoot("videos", "volume1/videos", "mixed"),
    DemoRoot("docker", "volume1/docker", "mixed"),
)

_ENG_51 = AudioSpec("aac", "eng", 6)
_ENG_SUBS = SubtitleSpec("eng", ("We need to go deeper.", "Downwards is the only way forwards."))
_SRT_EN = (
    "1\n00:00:00,000 --> 00:00:00,900\nWhat is the Matrix?\n\n"
    "2\n00:00:01,000 --> 00:00:01,900\nControl.\n"
)
_SRT_EN_SDH = (
    "1\n00:00:00,000 --> 00:00:00,900\n[PHONE RINGING]\nWhat is the Matrix?\n\n"
    "2\n00:00:01,000 --> 00:00:01,900\n[MORPHEUS] Control.\n"
)
_SRT_AMELIE = "1\n00:00:00,000 --> 00:00:01,500\nThese are hard times for dreamers.\n"
_NFO_MATRIX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    "<movie>\n  <title>The Matrix</title>\n  <year>1999</year>\n"
    '  <uniqueid type="tmdb" default="true">603</uniqueid>\n</movie>\n'
)


def _build(b: _Builder) -> None:
    inception = ExpectedIdentity("Inception", "movie", 2010)
    inception_1080 = b.video(
        "videos",
        "Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv",
        VideoSpec(
            width=1920,
            height=1080,
            seed=1,
            audio=(_ENG_51,),
            subtitles=(_ENG_SUBS,),
            # The 4K cut's chapters, the second one later: Compare seeks each file to its own.
            chapters=((0.0, "Dream Within a Dream"), (1.5, "Kick")),
        ),
        inception,
        (EXACT_DUPLICATE, RESOLUTION_VERSIONS),
        identical_group="inception-1080p",
    )
    b.copy(inception_1080, "docker", "media/Inception.2010.1080p.mkv", (EXACT_DUPLICATE,))
    b.copy(
        inception_1080,
        "videos",
        "#recycle/Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv",
        (NAS_CLUTTER,),
    )
    b.video(
        "videos",
        "Movies/Inception (2010)/Inception.2010.2160p.UHD.BluRay.x265.HDR10.mkv",
        # Two frames only: libx265 at 3840x2160 costs ~0.3 s per frame even at ultrafast.
        VideoSpec(
            video_codec="hevc",
            width=3840,
            height=2160,
            fps=1.0,
            hdr="HDR10",
            seed=2,
            audio=(AudioSpec("eac3", "eng", 6), AudioSpec("aac", "eng", 2, "Commentary")),
            subtitles=(_ENG_SUBS,),
            chapters=((0.0, "Dream Within a Dream"), (1.0, "Kick")),
        ),
        inception,
        (RESOLUTION_VERSIONS,),
    )
    b.video(
        "videos",
        "Movies/Inception (2010)/Sample/Inception.2010.1080p.BluRay.x264-sample.mkv",
        VideoSpec(width=1920, height=1080, duration_s=1.0, seed=3, audio=(_ENG_51,)),
        ExpectedIdentity("Inception", "movie", 2010, extra_kind="sample"),
        (EXTRAS,),
    )
    b.video(
        "videos",
        "Movies/Inception (2010)/Inception (2010)-trailer.mp4",
        VideoSpec(container="mp4", width=1280, height=720, duration_s=1.0, seed=4),
        ExpectedIdentity("Inception", "movie", 2010, extra_kind="trailer"),
        (EXTRAS,),
    )

    red_dwarf = "Red Dwarf"
    season = "TV/Red Dwarf/Season 01"
    b.video(
        "videos",
        f"{season}/RedDwarf_TVLab_s01e01.mkv",
        VideoSpec(width=1280, height=720, seed=10),
        ExpectedIdentity(red_dwarf, "tv", season=1, episodes=(1,)),
        (EPISODE_REENCODE, MULTI_EPISODE),
    )
    b.video(
        "docker",
        "media/tv/Red.Dwarf.S01E01.WonderCrew.avi",
        # AVI has no per-stream language field: real AVI rips are always untagged.
        VideoSpec(
            container="avi",
            video_codec="mpeg4",
            width=640,
            height=480,
            seed=11,
            audio=(AudioSpec("mp3", None, 2),),
        ),
        ExpectedIdentity(red_dwarf, "tv", season=1, episodes=(1,)),
        (EPISODE_REENCODE, UNTAGGED_AUDIO),
    )
    b.video(
        "videos",
        f"{season}/Red Dwarf - S01E01E02 - The End + Future Echoes.mkv",
        VideoSpec(width=1280, height=720, duration_s=4.0, seed=12),
        ExpectedIdentity(red_dwarf, "tv", season=1, episodes=(1, 2)),
        (MULTI_EPISODE,),
    )
    b.video(
        "videos",
        f"{season}/Red Dwarf - S01E02 - Future Echoes.webm",
        VideoSpec(
            container="webm", video_codec="vp9", seed=13, audio=(AudioSpec("opus", "eng", 2),)
        ),
        ExpectedIdentity(red_dwarf, "tv", season=1, episodes=(2,)),
        (MULTI_EPISODE,),
    )
    b.video(
        "videos",
        f"{season}/@eaDir/RedDwarf_TVLab_s01e01.mkv/SYNOPHOTO_FILM_H.mp4",
        VideoSpec(container="mp4", width=480, height=270, duration_s=1.0, seed=14),
        None,  # Synology's own preview transcode, not a library item
        (NAS_CLUTTER,),
    )
    b.video(
        "docker",
        "media/tv/Red Dwarf S01E03 Balance of Power (DVB).ts",
        VideoSpec(
            container="mpegts",
            video_codec="mpeg2",
            width=720,
            height=576,
            fps=25.0,
            seed=15,
            audio=(AudioSpec("ac3", "eng", 2),),
        ),
        ExpectedIdentity(red_dwarf, "tv", season=1, episodes=(3,)),
        (TV_RECORDING,),
    )

    matrix = ExpectedIdentity("The Matrix", "movie", 1999)
    matrix_en = b.video(
        "videos",
        "Movies/The Matrix (1999)/The.Matrix.1999.720p.BluRay.x264.mkv",
        VideoSpec(width=1280, height=720, seed=20),
        matrix,
        (LANGUAGE_VERSIONS, SIDECARS),
    )
    matrix_stem = "The.Matrix.1999.720p.BluRay.x264"
    b.sidecar(matrix_en, f"{matrix_stem}.en.srt", _SRT_EN, "subtitle", "en")
    b.sidecar(matrix_en, f"{matrix_stem}.en.sdh.srt", _SRT_EN_SDH, "subtitle", "en-sdh")
    b.sidecar(matrix_en, f"{matrix_stem}.nfo", _NFO_MATRIX, "nfo", None)
    b.video(
        "docker",
        "media/The.Matrix.1999.SPANISH.1080p.WEB-DL.mkv",
        VideoSpec(width=1920, height=1080, seed=21, audio=(AudioSpec("aac", "spa", 6),)),
        matrix,
        (LANGUAGE_VERSIONS,),
    )

    parasite = ExpectedIdentity("Parasite", "movie", 2019)
    b.video(
        "videos",
        "Movies/Parasite (2019)/Parasite.2019.1080p.BluRay.KOREAN.x264.mkv",
        VideoSpec(
            width=1920,
            height=1080,
            seed=30,
            audio=(AudioSpec("aac", "kor", 6),),
            subtitles=(
                SubtitleSpec("eng", ("It's so metaphorical.",)),
                SubtitleSpec(
                    "eng", ("[RAIN FALLING]",), title="English SDH", hearing_impaired=True
                ),
            ),
        ),
        parasite,
        (FOREIGN_FILM,),
    )
    b.video(
        "docker",
        "media/Parasite (2019) 720p.mp4",
        VideoSpec(
            container="mp4",
            width=1280,
            height=720,
            seed=31,
            audio=(AudioSpec("aac", "kor", 2),),
            subtitles=(SubtitleSpec("eng", ("You know what kind of plan never fails?",)),),
        ),
        parasite,
        (FOREIGN_FILM,),
    )

    for part in (1, 2):
        b.video(
            "videos",
            f"Movies/The Godfather (1972)/The.Godfather.1972.CD{part}.XviD.avi",
            VideoSpec(
                container="avi",
                video_codec="mpeg4",
                width=640,
                height=272,
                seed=40 + part,
                audio=(AudioSpec("mp3", None, 2),),
            ),
            ExpectedIdentity("The Godfather", "movie", 1972, part=part),
            (STACKED_PARTS,),
        )

    b.video(
        "videos",
        "Movies/Blade Runner (1982)/Blade.Runner.1982.1080p.BluRay.x264.mkv",
        VideoSpec(width=1920, height=800, seed=50, audio=(_ENG_51,)),
        ExpectedIdentity("Blade Runner", "movie", 1982),
        (EDITIONS,),
    )
    b.video(
        "videos",
        "Movies/Blade Runner (1982)/Blade.Runner.1982.Directors.Cut.1080p.BluRay.x264.mkv",
        VideoSpec(
            width=1920, height=800, duration_s=3.0, seed=51, audio=(AudioSpec("aac", "eng", 8),)
        ),
        ExpectedIdentity("Blade Runner", "movie", 1982, edition="Director's Cut"),
        (EDITIONS,),
    )

    amelie = b.video(
        "videos",
        "Movies/Amélie (2001)/Le Fabuleux Destin d'Amélie Poulain 2001 720p.mkv",
        VideoSpec(width=1280, height=720, seed=60, audio=(AudioSpec("aac", "fre", 2),)),
        ExpectedIdentity("Amélie", "movie", 2001),
        (AWKWARD_NAMES, HARDLINK, FOREIGN_FILM, SIDECARS),
        hardlink_group="amelie",
    )
    amelie_srt = "Le Fabuleux Destin d'Amélie Poulain 2001 720p.en.srt"
    b.sidecar(amelie, amelie_srt, _SRT_AMELIE, "subtitle", "en", (SIDECARS, AWKWARD_NAMES))
    # Torrent client's download hardlinked into the library: a common NAS setup.
    b.link(
        amelie,
        "docker",
        "downloads/complete/Le.Fabuleux.Destin.d.Amelie.Poulain.2001.720p.BluRay.x264-VETO.mkv",
        (HARDLINK,),
    )

    crouching_tiger = ExpectedIdentity("Crouching Tiger, Hidden Dragon", "movie", 2000)
    tiger_dir = "Crouching Tiger, Hidden Dragon (2000)"
    tiger_name = f"{tiger_dir}/Crouching Tiger, Hidden Dragon (2000) 1080p.mkv"
    tiger = b.video(
        "docker",
        f"media/{tiger_name}",
        VideoSpec(
            width=1920,
            height=1040,
            seed=70,
            audio=(AudioSpec("aac", "chi", 6),),
            subtitles=(SubtitleSpec("eng", ("A faithful heart makes wishes come true.",)),),
        ),
        crouching_tiger,
        (TRUNCATED_COPY, AWKWARD_NAMES, FOREIGN_FILM),
    )
    b.truncated_copy(tiger, "videos", f"Movies/{tiger_name}", (TRUNCATED_COPY, AWKWARD_NAMES))

    b.zero_byte(
        "docker",
        "media/Gladiator.2000.1080p.BluRay.x264.mkv",
        ExpectedIdentity("Gladiator", "movie", 2000),
        (ZERO_BYTE,),
    )

    b.video(
        "videos",
        "Movies/Spirited Away (2001)/Spirited Away (2001) 720p.mkv",
        VideoSpec(
            video_codec="av1",
            width=1280,
            height=720,
            seed=80,
            audio=(AudioSpec("opus", None, 2),),
        ),
        ExpectedIdentity("Spirited Away", "movie", 2001),
        (UNTAGGED_AUDIO,),
    )


@dataclass
class _Draft:
    """A DemoFile before its size and mtime are known."""

    root: str
    relative_path: str
    kind: FileKind
    scenarios: tuple[str, ...]
    fields: dict[str, Any] = field(default_factory=dict)
    link_of: _Draft | None = None


class _Builder:
    def __init__(self, dest: Path, roots: tuple[DemoRoot, ...]) -> None:
        self.dest = dest
        self.roots = roots
        self.drafts: list[_Draft] = []

    def path(self, root: str, relative_path: str) -> Path:
        return self.dest / next(r.path for r in self.roots if r.key == root) / relative_path

    def _add(self, draft: _Draft) -> _Draft:
        draft.fields.setdefault("skipped", _is_skipped(draft.relative_path))
        self.drafts.append(draft)
        return draft

    def video(
        self,
        root: str,
        relative_path: str,
        spec: VideoSpec,
        identity: ExpectedIdentity | None,
        scenarios: tuple[str, ...],
        *,
        identical_group: str | None = None,
        hardlink_group: str | None = None,
    ) -> _Draft:
        make_video(self.path(root, relative_path), spec)
        return self._add(
            _Draft(
                root,
                relative_path,
                "video",
                scenarios,
                {
                    "media": expected_media(spec),
                    "identity": identity,
                    "byte_identical_group": identical_group,
                    "hardlink_group": hardlink_group,
                },
            )
        )

    def copy(
        self, source: _Draft, root: str, relative_path: str, scenarios: tuple[str, ...]
    ) -> _Draft:
        self._duplicate(source, root, relative_path, shutil.copyfile)
        fields = {k: source.fields[k] for k in ("identity", "byte_identical_group")}
        fields["media"] = self._media_without_sidecars(source)
        return self._add(_Draft(root, relative_path, "video", scenarios, fields))

    def link(
        self, source: _Draft, root: str, relative_path: str, scenarios: tuple[str, ...]
    ) -> _Draft:
        self._duplicate(source, root, relative_path, os.link)
        fields = {k: source.fields[k] for k in ("identity", "hardlink_group")}
        fields["media"] = self._media_without_sidecars(source)
        return self._add(_Draft(root, relative_path, "video", scenarios, fields, link_of=source))

    def truncated_copy(
        self, source: _Draft, root: str, relative_path: str, scenarios: tuple[str, ...]
    ) -> _Draft:
        self._duplicate(source, root, relative_path, shutil.copyfile)
        truncate_file(self.path(root, relative_path), 0.5)
        fields = {
            "identity": source.fields["identity"],
            "media": self._media_without_sidecars(source),
            "corrupt": "truncated",
        }
        return self._add(_Draft(root, relative_path, "video", scenarios, fields))

    def _duplicate(
        self, source: _Draft, root: str, relative_path: str, how: Callable[[Path, Path], object]
    ) -> None:
        target = self.path(root, relative_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        how(self.path(source.root, source.relative_path), target)

    @staticmethod
    def _media_without_sidecars(source: _Draft) -> ExpectedMedia:
        # A copy elsewhere has none of the source's sidecar files beside it.
        return replace(source.fields["media"], sidecar_languages=())

    def zero_byte(
        self,
        root: str,
        relative_path: str,
        identity: ExpectedIdentity,
        scenarios: tuple[str, ...],
    ) -> _Draft:
        make_zero_byte(self.path(root, relative_path))
        fields = {"identity": identity, "corrupt": "zero_byte"}
        return self._add(_Draft(root, relative_path, "video", scenarios, fields))

    def sidecar(
        self,
        video: _Draft,
        name: str,
        content: str,
        kind: FileKind,
        language: str | None,
        scenarios: tuple[str, ...] = (SIDECARS,),
    ) -> _Draft:
        directory = video.relative_path.rpartition("/")[0]
        relative_path = f"{directory}/{name}" if directory else name
        self.path(video.root, relative_path).write_text(content, encoding="utf-8")
        if language:
            media = video.fields["media"]
            languages = (*media.sidecar_languages, language)
            video.fields["media"] = replace(media, sidecar_languages=languages)
        fields = {"sidecar_of": video.relative_path, "language": language}
        return self._add(_Draft(video.root, relative_path, kind, scenarios, fields))

    def finish(self) -> DemoRecord:
        files = []
        mtimes: dict[int, float] = {}
        for number, draft in enumerate(self.drafts):
            path = self.path(draft.root, draft.relative_path)
            if draft.link_of is not None:
                mtime = mtimes[id(draft.link_of)]  # one inode, one mtime
            else:
                mtime = float(BASE_MTIME + number * _DAY)
                os.utime(path, (mtime, mtime))
            mtimes[id(draft)] = mtime
            files.append(
                DemoFile(
                    root=draft.root,
                    relative_path=draft.relative_path,
                    kind=draft.kind,
                    scenarios=draft.scenarios,
                    size=path.stat().st_size,
                    mtime=mtime,
                    **draft.fields,
                )
            )
        # Folders too, bottom-up, so a directory-mtime based incremental scan sees a stable tree.
        for directory in sorted(
            (p for p in self.dest.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)
        ):
            os.utime(directory, (BASE_MTIME, BASE_MTIME))
        return DemoRecord(roots=self.roots, files=tuple(files))


def _is_skipped(relative_path: str) -> bool:
    return any(part in _SKIPPED_DIRS for part in relative_path.split("/"))


def _file_from_dict(data: dict[str, Any]) -> DemoFile:
    media = data.get("media")
    identity = data.get("identity")
    return DemoFile(
        **{
            **data,
            "scenarios": tuple(data["scenarios"]),
            "media": _media_from_dict(media) if media else None,
            "identity": (
                ExpectedIdentity(**{**identity, "episodes": tuple(identity["episodes"])})
                if identity
                else None
            ),
        }
    )


def _media_from_dict(data: dict[str, Any]) -> ExpectedMedia:
    tuples = ("audio_languages", "subtitle_languages", "sidecar_languages")
    return ExpectedMedia(**{k: tuple(v) if k in tuples else v for k, v in data.items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the MediaVault demo NAS library.")
    parser.add_argument("dest", type=Path, help="empty or missing folder to create it in")
    args = parser.parse_args(argv)
    try:
        record = generate_demo_library(args.dest)
    except FileExistsError as exc:
        print(exc, file=sys.stderr)
        return 1
    for root in record.roots:
        count = sum(1 for f in record.files if f.root == root.key)
        print(f"{root.key}: {args.dest / root.path} ({count} files)")
    print(f"record: {args.dest / RECORD_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
