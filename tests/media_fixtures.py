"""Shared media helpers: the demo library is generated once per test session.

Test modules wrap `cached_demo_library` in their own session fixture; the cache makes them all
share one generation (~5 s) instead of building one each.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from pymediainfo import MediaInfo

from mediavault_assets.demo.demo_library import DemoRecord, generate_demo_library

# Our codec / container ids → what mediainfo calls them: an independent check on the probe's maps.
MEDIAINFO_VIDEO_FORMATS = {
    "h264": "AVC",
    "hevc": "HEVC",
    "mpeg4": "MPEG-4 Visual",
    "vp9": "VP9",
    "av1": "AV1",
    "mpeg2": "MPEG Video",
    "wmv": "WMV2",
}
MEDIAINFO_CONTAINERS = {
    "mkv": "Matroska",
    "mp4": "MPEG-4",
    "mov": "MPEG-4",
    "avi": "AVI",
    "webm": "WebM",
    "mpegts": "MPEG-TS",
    "mpeg": "MPEG-PS",
    "wmv": "Windows Media",
}


def cached_demo_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoRecord]:
    return _generate(tmp_path_factory.getbasetemp())


@functools.cache
def _generate(base: Path) -> tuple[Path, DemoRecord]:
    dest = base / "demo"
    return dest, generate_demo_library(dest)


def mediainfo_tracks(path: Path) -> dict[str, list[dict[str, object]]]:
    """Track dicts by type ("General", "Video", "Audio", "Text") straight from pymediainfo."""
    tracks: dict[str, list[dict[str, object]]] = {}
    # The probe turns libmediainfo's process-wide ReadByHuman off; pymediainfo's own default is on.
    parsed = MediaInfo.parse(str(path), mediainfo_options={"ReadByHuman": "1"})
    for track in parsed.tracks:
        tracks.setdefault(track.track_type, []).append(track.to_data())
    return tracks
