"""The fields MediaVault reads from libmediainfo, asked for one by one.

`pymediainfo.MediaInfo.parse` has libmediainfo render every field of every track as XML (in
several human-readable variants each) and parses that XML in Python, holding the GIL: about
half of a small file's probe time. Here the same library (the one bundled with pymediainfo) is
asked only for the fields the probe uses, through `MediaInfo_Get`; all of the work happens in C,
outside the GIL, so several threads probe in parallel. The values are libmediainfo's raw field
values, the same ones `Track.to_data()` returns first, under the same lower-case keys.

Chapters come from the Menu tracks, where each chapter is a field of its own named by its start
("00:01:30.000") and valued by its title ("en:Opening", or just "Opening").
"""

from __future__ import annotations

import ctypes
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from pymediainfo import MediaInfo

# libmediainfo's stream kinds (MediaInfo_stream_t) and info kind (MediaInfo_info_t).
_GENERAL, _VIDEO, _AUDIO, _TEXT, _MENU = 0, 1, 2, 3, 6
_INFO_TEXT, _INFO_NAME = 1, 0

# Field name as libmediainfo knows it → key as pymediainfo's to_data() spells it.
_FIELDS = {
    _GENERAL: {
        "Format": "format",
        "Format_Profile": "format_profile",
        "Duration": "duration",
        "FrameRate": "frame_rate",
        "OverallBitRate": "overall_bit_rate",
        "IsTruncated": "istruncated",
    },
    _VIDEO: {
        "Format": "format",
        "Format_Version": "format_version",
        "CodecID": "codec_id",
        "Duration": "duration",
        "FrameRate": "frame_rate",
        "Width": "width",
        "Height": "height",
        "BitDepth": "bit_depth",
        "HDR_Format": "hdr_format",
        "HDR_Format_Commercial": "hdr_format_commercial",
        "HDR_Format_Compatibility": "hdr_format_compatibility",
        "transfer_characteristics": "transfer_characteristics",
        "transfer_characteristics_Original": "transfer_characteristics_original",
        "colour_primaries": "color_primaries",
    },
    _AUDIO: {
        "Format": "format",
        "Format_Profile": "format_profile",
        "Channel(s)": "channel_s",
        "ChannelLayout": "channel_layout",
        "Language": "language",
        "Default": "default",
    },
    _TEXT: {
        "Language": "language",
        "Title": "title",
        "Forced": "forced",
    },
}


# The keys read, by pymediainfo's track type name.
FIELDS_READ = {
    kind: tuple(_FIELDS[number].values())
    for kind, number in (
        ("General", _GENERAL),
        ("Video", _VIDEO),
        ("Audio", _AUDIO),
        ("Text", _TEXT),
    )
}


@dataclass(frozen=True, slots=True)
class MediaInfoTracks:
    general: dict[str, str] = field(default_factory=dict)
    videos: list[dict[str, str]] = field(default_factory=list)
    audios: list[dict[str, str]] = field(default_factory=list)
    texts: list[dict[str, str]] = field(default_factory=list)
    # (start as "HH:MM:SS.mmm", title as stored) of the menu that lists the most chapters
    chapters: list[tuple[str, str]] = field(default_factory=list)


class MediaInfoError(RuntimeError):
    """libmediainfo could not open the file."""


_lock = threading.Lock()
_library: ctypes.CDLL | None = None
_keepalive = None  # pymediainfo keeps one handle open: threads misbehave without one


def _lib() -> ctypes.CDLL:
    global _library, _keepalive
    with _lock:
        if _library is None:
            # pymediainfo knows where its bundled library lives and declares the prototypes.
            lib, _keepalive, _, _ = MediaInfo._get_library()
            lib.MediaInfo_Get.argtypes = [
                ctypes.c_void_p,
                ctypes.c_int,
                ctypes.c_size_t,
                ctypes.c_wchar_p,
                ctypes.c_int,
                ctypes.c_int,
            ]
            lib.MediaInfo_Get.restype = ctypes.c_wchar_p
            lib.MediaInfo_GetI.argtypes = [
                ctypes.c_void_p,
                ctypes.c_int,
                ctypes.c_size_t,
                ctypes.c_size_t,
                ctypes.c_int,
            ]
            lib.MediaInfo_GetI.restype = ctypes.c_wchar_p
            lib.MediaInfo_Count_Get.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_ssize_t]
            lib.MediaInfo_Count_Get.restype = ctypes.c_size_t
            _library = lib
        return _library


def read_tracks(path: Path) -> MediaInfoTracks:
    """The probe's fields of every general, video, audio and text track of `path`.

    Matroska/WebM and MP4/MOV describe their tracks in headers: there libmediainfo's quickest
    parse (ParseSpeed 0) gives the same fields as its default (0.5), a third faster and reading
    less of the file. Other containers (AVI, MPEG-TS, ASF...), and any file whose quick parse
    leaves a video track without duration or frame rate, get the default parse.
    """
    tracks = _parse(path, _QUICK)
    if tracks.general.get("format") in _HEADER_DESCRIBED and all(
        "duration" in v and "frame_rate" in v for v in tracks.videos
    ):
        return tracks
    return _parse(path, _DEFAULT)


_QUICK, _DEFAULT = "0", "0.5"
_HEADER_DESCRIBED = frozenset({"Matroska", "WebM", "MPEG-4"})


def _parse(path: Path, parse_speed: str) -> MediaInfoTracks:
    lib = _lib()
    handle = lib.MediaInfo_New()
    try:
        lib.MediaInfo_Option(handle, "CharSet", "UTF-8")
        lib.MediaInfo_Option(handle, "ParseSpeed", parse_speed)
        # No "/String" variants (Duration/String, Language/String...): the probe reads raw
        # values only, and filling those takes libmediainfo's global configuration lock for
        # every field, which serialises the probe threads. The setting is process-wide (set
        # here for each file because a handle's "Reset" restores the default): a pymediainfo
        # parse in the same process then gets no `other_*` values unless it asks for
        # ReadByHuman 1 itself.
        lib.MediaInfo_Option(handle, "ReadByHuman", "0")
        if lib.MediaInfo_Open(handle, str(path)) == 0:
            raise MediaInfoError(f"libmediainfo could not open {path}")
        try:
            kinds = {
                kind: [
                    _track(lib, handle, kind, number, names)
                    for number in range(lib.MediaInfo_Count_Get(handle, kind, -1))
                ]
                for kind, names in _FIELDS.items()
            }
            menus = [
                _menu_chapters(lib, handle, number)
                for number in range(lib.MediaInfo_Count_Get(handle, _MENU, -1))
            ]
        finally:
            lib.MediaInfo_Close(handle)
    finally:
        lib.MediaInfo_Delete(handle)
    return MediaInfoTracks(
        general=next(iter(kinds[_GENERAL]), {}),
        videos=kinds[_VIDEO],
        audios=kinds[_AUDIO],
        texts=kinds[_TEXT],
        # An MP4 can carry the same chapters twice (a QuickTime text track and Nero chapters).
        chapters=max(menus, key=len, default=[]),
    )


def _track(
    lib: ctypes.CDLL, handle: int, kind: int, number: int, names: dict[str, str]
) -> dict[str, str]:
    values = {}
    for name, key in names.items():
        value = lib.MediaInfo_Get(handle, kind, number, name, _INFO_TEXT, _INFO_NAME)
        if value:
            values[key] = value
    return values


def _menu_chapters(lib: ctypes.CDLL, handle: int, number: int) -> list[tuple[str, str]]:
    """The (start, title) fields between a menu's Chapters_Pos_Begin and Chapters_Pos_End."""
    begin = lib.MediaInfo_Get(handle, _MENU, number, "Chapters_Pos_Begin", _INFO_TEXT, _INFO_NAME)
    end = lib.MediaInfo_Get(handle, _MENU, number, "Chapters_Pos_End", _INFO_TEXT, _INFO_NAME)
    if not (begin and end and begin.isdigit() and end.isdigit()):
        return []
    chapters = []
    for position in range(int(begin), int(end)):
        name = lib.MediaInfo_GetI(handle, _MENU, number, position, _INFO_NAME)
        if name and _TIMESTAMP.match(name):
            chapters.append((name, lib.MediaInfo_GetI(handle, _MENU, number, position, _INFO_TEXT)))
    return chapters


# Chapter fields are named by their start; a QuickTime chapter track's menu also holds others.
_TIMESTAMP = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d{3}$")
