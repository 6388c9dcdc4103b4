"""Which files beside a video belong to it (subtitles, .nfo, artwork) and what language they are.

Pure name logic, no I/O. A sidecar shares the video's stem and may add dot-separated tags before
its extension, as Plex, Jellyfin, Kodi and subtitle downloaders write them:

    Movie.mkv ← Movie.srt, Movie.en.srt, Movie.en.sdh.srt, Movie.eng.forced.srt, Movie.English.srt,
                Movie.nfo, Movie-poster.jpg

Sidecars move and restore with their video, and an English sidecar counts as English subtitles.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Literal

import babelfish

from mediavault_assets.domain.languages import (
    UNDETERMINED,
    normalize_language,
    normalize_subtitle_language,
)
from mediavault_assets.domain.model import Sidecar

SidecarKind = Literal["subtitle", "nfo", "other"]

SUBTITLE_EXTENSIONS = frozenset({".srt", ".ass", ".ssa", ".sub", ".idx", ".vtt"})
NFO_EXTENSIONS = frozenset({".nfo"})
ARTWORK_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".tbn"})
# Tags that name a subtitle flavour rather than a language; "hi" (hearing impaired) is also
# Hindi's code, so it is read as a flavour only after a language tag.
_FLAVOUR_TAGS = {"sdh": "sdh", "hi": "sdh", "cc": "cc", "forced": "forced"}
# Tags that say nothing about language or flavour ("Movie.en.default.srt", "Movie.2.en.srt").
_NEUTRAL_TAGS = frozenset({"default", "full", "sub", "subs", "subtitle", "subtitles"})


def sidecar_for(video_name: str, sibling_name: str, directory: str = "") -> Sidecar | None:
    """The sidecar `sibling_name` is to `video_name` (both bare file names), or None.

    `relative_path` is `directory`/`sibling_name` (the caller's folder, relative to its root).
    """
    kind = _kind(sibling_name)
    if kind is None:
        return None
    tags = _tags_after_stem(_stem(video_name), sibling_name, kind)
    if tags is None:
        return None
    language = sidecar_language(tags) if kind == "subtitle" else None
    return Sidecar(posixpath.join(directory, sibling_name), kind, language)


VIDEO_EXTENSIONS = frozenset(
    {
        ".mkv",
        ".mp4",
        ".avi",
        ".m4v",
        ".mov",
        ".wmv",
        ".flv",
        ".webm",
        ".ts",
        ".m2ts",
        ".mpg",
        ".mpeg",
    }
)


def is_video_name(name: str) -> bool:
    return posixpath.splitext(name)[1].lower() in VIDEO_EXTENSIONS


def sidecar_owner(video_names: Iterable[str], sibling_name: str) -> str | None:
    """The one video of a folder that `sibling_name` belongs to, or None.

    The video whose stem matches most closely wins ("Movie.Part.2.srt" is "Movie.Part.2.mkv"'s,
    not "Movie.Part.mkv"'s). A sidecar that matches several videos equally ("Parasite.en.srt"
    beside "Parasite.mkv" and "Parasite.avi") belongs to none: it stays where it is, so staging
    one copy never takes the subtitles the other copy is kept for.
    """
    kind = _kind(sibling_name)
    if kind is None:
        return None
    # Matching needs only the stems; the language is read once, for the owner (sidecar_for).
    matches = [
        v
        for v in set(video_names)
        if v != sibling_name and _tags_after_stem(_stem(v), sibling_name, kind) is not None
    ]
    if not matches:
        return None
    longest = max(len(_stem(v)) for v in matches)
    closest = [v for v in matches if len(_stem(v)) == longest]
    return closest[0] if len(closest) == 1 else None


def assign_sidecars(
    video_names: Iterable[str], sibling_names: Iterable[str], directory: str = ""
) -> dict[str, tuple[Sidecar, ...]]:
    """Give each sidecar in one folder to the video it belongs to (see `sidecar_owner`)."""
    videos = set(video_names)
    assigned: dict[str, list[Sidecar]] = {name: [] for name in sorted(videos)}
    for sibling in sorted(set(sibling_names) - videos):
        owner = sidecar_owner(videos, sibling)
        if owner is not None:
            assigned[owner].append(sidecar_for(owner, sibling, directory))  # type: ignore[arg-type]
    return {name: tuple(found) for name, found in assigned.items()}


def sidecar_language(tags: Iterable[str]) -> str | None:
    """("en",) → "en"; ("en", "sdh") → "en-sdh"; ("eng", "forced") → "en-forced"; () → None."""
    language: str | None = None
    flavours: list[str] = []
    for tag in (t.lower() for t in tags):
        if language and tag in _FLAVOUR_TAGS:
            flavours.append(_FLAVOUR_TAGS[tag])
        elif language is None and not _is_neutral(tag) and _is_language(tag):
            language = tag
    if language is None:
        return None
    return normalize_subtitle_language(language, flags=tuple(flavours))


def _is_language(tag: str) -> bool:
    try:
        return normalize_language(tag) != UNDETERMINED
    except babelfish.Error:  # codes with no ISO 639-1 form ("fil", "yue") raise there
        return False


def _is_neutral(tag: str) -> bool:
    return tag in _NEUTRAL_TAGS or tag.isdigit()


def _kind(name: str) -> SidecarKind | None:
    extension = posixpath.splitext(name)[1].lower()
    if extension in SUBTITLE_EXTENSIONS:
        return "subtitle"
    if extension in NFO_EXTENSIONS:
        return "nfo"
    if extension in ARTWORK_EXTENSIONS:
        return "other"
    return None


def _stem(name: str) -> str:
    return posixpath.splitext(name)[0]


def _tags_after_stem(video_stem: str, sibling_name: str, kind: SidecarKind) -> list[str] | None:
    """The dot-separated tags between the video's stem and the sibling's extension, or None.

    Case-insensitive: SMB shares are, and renamers disagree about "Movie.EN.srt" vs "movie.en.srt".
    """
    sibling_stem = _stem(sibling_name)
    if not sibling_stem.casefold().startswith(video_stem.casefold()):
        return None
    rest = sibling_stem[len(video_stem) :]
    if not rest:
        return []
    if rest.startswith("."):
        return [tag for tag in rest[1:].split(".") if tag]
    # Kodi artwork: "Movie-poster.jpg", "Movie-fanart.jpg".
    if kind == "other" and rest.startswith("-") and rest[1:].isalpha():
        return []
    return None
