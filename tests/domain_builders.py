"""Small builders for LibraryFile fixtures: write only what a scenario is about."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from mediavault_assets.domain.model import (
    LibraryFile,
    ParsedName,
    ProbeFacts,
    Sidecar,
    TmdbMatch,
    file_id_for,
)

_inodes = itertools.count(1000)

# Typical probes per tier, so a scenario only overrides what it is about.
PROBES: dict[str, dict[str, Any]] = {
    "4K": {"width": 3840, "height": 2160, "video_codec": "hevc", "bitrate": 25_000},
    "1080p": {"width": 1920, "height": 1080, "video_codec": "h264", "bitrate": 8_000},
    "720p": {"width": 1280, "height": 720, "video_codec": "h264", "bitrate": 4_000},
    "480p": {"width": 720, "height": 480, "video_codec": "mpeg4", "bitrate": 1_200},
    "SD": {"width": 512, "height": 384, "video_codec": "mpeg4", "bitrate": 900},
}


def probe(tier: str = "1080p", **overrides: Any) -> ProbeFacts:
    values: dict[str, Any] = {
        "duration": 2700.0,
        "container": "mkv",
        "audio_codec": "aac",
        "audio_channels": 2.0,
        "audio_track_count": 1,
        "audio_languages": ("en",),
        **PROBES[tier],
    }
    values.update(overrides)
    return ProbeFacts(**values)


def episode(
    title: str,
    season: int,
    *episodes: int,
    title_key: str | None = None,
    **overrides: Any,
) -> ParsedName:
    return ParsedName(
        title=title,
        title_key=title_key or title.lower(),
        media_type="tv",
        season=season,
        episodes=tuple(episodes),
        **overrides,
    )


def movie(
    title: str, year: int | None, *, title_key: str | None = None, **overrides: Any
) -> ParsedName:
    return ParsedName(
        title=title,
        title_key=title_key or title.lower(),
        media_type="movie",
        year=year,
        **overrides,
    )


def library_file(
    path: str,
    parsed: ParsedName,
    probe_facts: ProbeFacts | None = None,
    *,
    size: int = 1_000_000_000,
    md5: str | None = None,
    inode: int | None = None,
    device: int = 1,
    nlink: int = 1,
    mtime: float = 1_600_000_000.0,
    sidecars: tuple[Sidecar, ...] = (),
    original_language: str | None = None,
    tmdb_match: TmdbMatch | None = None,
) -> LibraryFile:
    """A file at an absolute NAS path such as /volume1/videos/Movies/Inception.mkv.

    The root is the second path component ("videos"), the relative path the rest.
    """
    parts = path.strip("/").split("/")
    root_key, relative_path = parts[1], "/".join(parts[2:])
    return LibraryFile(
        file_id=file_id_for(root_key, relative_path),
        root_key=root_key,
        relative_path=relative_path,
        path=path,
        size=size,
        device=device,
        inode=next(_inodes) if inode is None else inode,
        nlink=nlink,
        mtime=mtime,
        parsed=parsed,
        probe=probe_facts or probe(),
        md5=md5,
        sidecars=sidecars,
        original_language=original_language,
        tmdb_match=tmdb_match,
    )


def matched_to(tmdb_id: int, confidence: float = 1.0, tmdb_type: str = "movie") -> TmdbMatch:
    """What the TMDb asset matched a file's name to (search, not an ID tag in the name)."""
    return TmdbMatch(tmdb_id, tmdb_type, confidence)  # type: ignore[arg-type]


def hardlink(of: LibraryFile, path: str, *, nlink: int = 2) -> tuple[LibraryFile, LibraryFile]:
    """Two paths on one inode: the original (with its nlink raised) and the new link."""
    linked = library_file(
        path,
        of.parsed,
        of.probe,
        size=of.size,
        md5=of.md5,
        inode=of.inode,
        device=of.device,
        nlink=nlink,
        mtime=of.mtime,
    )
    return replace(of, nlink=nlink), linked
