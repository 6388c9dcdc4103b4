"""What a video file's content says about itself: codecs, resolution, languages, HDR, integrity.

One libmediainfo parse supplies nearly everything, including "truncated" for the containers
whose headers promise a size (Matroska/WebM, MP4/MOV, AVI). PyAV opens the file once more only
where that leaves a question: a tail check (demux the last couple of seconds and compare with
the duration the container announces) for the other containers and for files whose last bytes
are zeros (a preallocated download that never finished: the size is right, the content is not),
and the frame rate of containers such as ASF that do not store one. Nothing decodes the whole
file: this runs on every new file of a large library over SMB, on several threads at once, and
for a large batch in worker processes (see `probe_many`).

`probe_file` never raises for bad input; `probe_error` says why a file could not be probed.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import babelfish

from mediavault_assets.domain.languages import (
    UNDETERMINED,
    normalize_language,
    normalize_subtitle_language,
)
from mediavault_assets.domain.model import Chapter, ProbeFacts
from mediavault_assets.media.mediainfo import MediaInfoTracks, read_tracks

Track = Mapping[str, object]  # lower-case mediainfo field names (see media/mediainfo.py)

# mediainfo General "Format" → our container id.
_CONTAINERS = {
    "matroska": "mkv",
    "webm": "webm",
    "mpeg-4": "mp4",
    "avi": "avi",
    "mpeg-ts": "mpegts",
    "bdav": "m2ts",
    "mpeg-ps": "mpeg",
    "windows media": "wmv",
    "flash video": "flv",
    "ogg": "ogg",
    "realmedia": "rm",
}
# mediainfo video "Format" → codec id (the quality score keys on these).
_VIDEO_CODECS = {
    "avc": "h264",
    "hevc": "hevc",
    "mpeg-4 visual": "mpeg4",
    "vp9": "vp9",
    "vp8": "vp8",
    "av1": "av1",
    "vc-1": "vc1",
    "wmv1": "wmv",
    "wmv2": "wmv",
    "h.263": "h263",
    "theora": "theora",
    "prores": "prores",
    "vvc": "vvc",
}
# FourCCs of MPEG-4 Part 2 encoders; some mediainfo builds name the format after them.
_MPEG4_FOURCCS = frozenset({"XVID", "DIVX", "DX50", "FMP4", "MP4V", "3IV2"})
_AUDIO_CODECS = {
    "aac": "aac",
    "ac-3": "ac3",
    "e-ac-3": "eac3",
    "dts": "dts",
    "mlp fba": "truehd",
    "truehd": "truehd",
    "opus": "opus",
    "flac": "flac",
    "pcm": "pcm",
    "vorbis": "vorbis",
    "wma": "wma",
    "alac": "alac",
}
_MPEG_AUDIO_LAYERS = {"layer 1": "mp1", "layer 2": "mp2", "layer 3": "mp3"}
# Subtitle track titles that mark a flavour ("English (SDH)", "Forced", "Hearing Impaired").
_TITLE_FLAVOURS = {"sdh": "sdh", "hi": "sdh", "hearing": "sdh", "cc": "cc", "forced": "forced"}
# Containers whose duration is an estimate from the stream itself, not a header promise:
# comparing it with the last packet proves nothing.
_HEADERLESS = frozenset({"mpegts", "m2ts", "mpeg"})
# Containers whose cut files libmediainfo reports as truncated (their headers promise a size).
_SIZE_CHECKED = frozenset({"mkv", "webm", "mp4", "mov", "avi"})
_TAIL_SECONDS = 2.0
_TAIL_BYTES = 4096


# Files in flight at once. On a NAS share, more than cores keep requests going while others
# wait for the network.
PROBE_THREADS = 4
# libmediainfo and FFmpeg parse outside the GIL, but threads of one process still queue for it
# (the Python around each parse, ~15 % of a file's time) and for libmediainfo's process-wide
# configuration lock, taken for every field it fills: measured on 2 cores, 4 threads of one
# process used about one core. So a large batch is probed by one worker process per core, each
# with its share of the threads (~25 % less wall time for 2,000 files, worker start included).
# Below _PROCESS_BATCH files, starting the workers (~0.3 s, more where __main__ is heavy to
# import again) costs more than it saves.
PROBE_PROCESSES = min(os.cpu_count() or 1, 4)
_PROCESS_BATCH = 200
_CHUNK = 25  # files per worker task: little pickling per file, steady progress, balanced load
# spawn, not fork: the parent is often a threaded Dagster process, and forking one can deadlock.
_CONTEXT = multiprocessing.get_context("spawn")


def probe_many(
    paths: Iterable[Path], threads: int = PROBE_THREADS, processes: int = PROBE_PROCESSES
) -> Iterator[ProbeFacts]:
    """`probe_file` of each path, in order, `threads` files at a time."""
    paths = list(paths)
    processes = min(processes, threads)
    if processes <= 1 or len(paths) < _PROCESS_BATCH:
        yield from _probe_threaded(paths, threads)
        return
    chunks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    shares = [threads // processes] * len(chunks)
    pool = ProcessPoolExecutor(processes, mp_context=_CONTEXT)
    try:
        for facts in pool.map(_probe_chunk, chunks, shares):
            yield from facts
    finally:
        pool.shutdown(cancel_futures=True)


def _probe_threaded(paths: list[Path], threads: int) -> Iterator[ProbeFacts]:
    if threads <= 1:
        yield from map(probe_file, paths)
        return
    with ThreadPoolExecutor(threads, thread_name_prefix="probe") as pool:
        yield from pool.map(probe_file, paths)


def _probe_chunk(paths: list[Path], threads: int) -> list[ProbeFacts]:
    return list(_probe_threaded(paths, threads))


def probe_file(path: Path) -> ProbeFacts:
    """Probe one file; failures land in `probe_error`, damaged content in `integrity_error`."""
    size, zero_tail, problem = _readable_size(path)
    if problem:
        return ProbeFacts(probe_error=problem)
    try:
        tracks = read_tracks(path)
    except Exception as exc:  # libmediainfo failures surface as assorted exception types
        return ProbeFacts(probe_error=f"mediainfo could not parse the file: {exc}")
    try:
        return _facts(path, size, zero_tail, tracks)
    except Exception as exc:  # one odd file must not stop a scan of thousands
        return ProbeFacts(probe_error=f"unexpected probe failure: {type(exc).__name__}: {exc}")


def _facts(path: Path, size: int, zero_tail: bool, tracks: MediaInfoTracks) -> ProbeFacts:
    general, videos, audios, texts = tracks.general, tracks.videos, tracks.audios, tracks.texts
    truncated = general.get("istruncated") == "Yes"
    if not videos:
        found = _text(general.get("format"))
        return ProbeFacts(
            probe_error=f"no video track ({found})" if found else "not a recognizable media file",
            integrity_error=_TRUNCATED if truncated else None,
        )

    video = videos[0]
    container = container_id(general)
    duration = _seconds(general.get("duration")) or _seconds(video.get("duration"))
    framerate = _number(video.get("frame_rate")) or _number(general.get("frame_rate"))
    check_tail = (
        not truncated
        and bool(duration)
        and container not in _HEADERLESS
        and (container not in _SIZE_CHECKED or zero_tail)
    )
    pyav = _PyAVFindings()
    if check_tail or not framerate:
        pyav = _inspect_with_pyav(path, duration if check_tail else None)
    bitrate = _number(general.get("overall_bit_rate"))
    if bitrate is None and duration:
        bitrate = size * 8 / duration  # mediainfo leaves it out when it cannot work it out

    return ProbeFacts(
        duration=duration,
        container=container,
        video_codec=video_codec_id(video),
        audio_codec=audio_codec_id(_main_audio(audios)) if audios else None,
        width=_integer(video.get("width")),
        height=_integer(video.get("height")),
        bitrate=round(bitrate / 1000) if bitrate else None,
        framerate=_rounded(framerate or pyav.framerate),
        hdr_type=classify_hdr(video),
        audio_channels=max((_channels(a) for a in audios), default=None),
        audio_track_count=len(audios),
        subtitle_track_count=len(texts),
        audio_languages=tuple(_language(_text(a.get("language"))) for a in audios),
        subtitle_languages=tuple(_subtitle_language(t) for t in texts),
        integrity_error=_TRUNCATED if truncated else pyav.error,
        chapters=chapters_from_menu(tracks.chapters, duration),
    )


# "en:Opening": mediainfo puts the title's language before it when the container tags one.
_CHAPTER_LANGUAGE = re.compile(r"^([a-z]{2,3}):(.*)$", re.DOTALL)


def chapters_from_menu(
    entries: Iterable[tuple[str, str]], duration: float | None
) -> tuple[Chapter, ...]:
    """Chapters from mediainfo's menu fields ("00:01:30.000", "en:Opening").

    mediainfo reports starts only, as MP4 chapter lists store them: a chapter ends where the
    next one starts, the last one at the end of the file.
    """
    starts: dict[int, tuple[str | None, str | None]] = {}
    for stamp, text in entries:
        hours, minutes, seconds = stamp.split(":")
        start = round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)
        match = _CHAPTER_LANGUAGE.match(text or "")
        language, title = match.groups() if match else (None, text)
        starts.setdefault(start, ((title.strip() or None) if title else None, language))
    ordered = sorted(starts)
    end_of_file = round(duration * 1000) if duration else None
    chapters = []
    for i, start in enumerate(ordered):
        end = ordered[i + 1] if i + 1 < len(ordered) else max(end_of_file or start, start)
        title, language = starts[start]
        chapters.append(Chapter(start, end, title, language))
    return tuple(chapters)


def container_id(general: Track) -> str | None:
    fmt = _text(general.get("format")).lower()
    if not fmt:
        return None
    if fmt == "mpeg-4" and "quicktime" in _text(general.get("format_profile")).lower():
        return "mov"
    return _CONTAINERS.get(fmt, _slug(fmt))


def video_codec_id(video: Track) -> str | None:
    fmt = _text(video.get("format")).lower()
    if fmt == "mpeg video":
        return "mpeg1" if "1" in _text(video.get("format_version")) else "mpeg2"
    if fmt in _VIDEO_CODECS:
        return _VIDEO_CODECS[fmt]
    if _text(video.get("codec_id")).upper() in _MPEG4_FOURCCS:
        return "mpeg4"
    return _slug(fmt) or None


def audio_codec_id(audio: Track) -> str | None:
    fmt = _text(audio.get("format")).lower()
    if fmt == "mpeg audio":
        return _MPEG_AUDIO_LAYERS.get(_text(audio.get("format_profile")).lower(), "mp3")
    return _AUDIO_CODECS.get(fmt, _slug(fmt) or None)


def channel_layout_value(channels: int, layout: str | None) -> float:
    """6 channels → 5.1, 8 → 7.1, 2 → 2.0; mediainfo's layout says whether one is an LFE."""
    # Without a layout, 6 and 8 channels are 5.1 and 7.1: nothing else common has that many.
    has_lfe = "LFE" in layout.upper().split() if layout else channels in (6, 8)
    return round(channels - 1 + 0.1, 1) if has_lfe and channels > 1 else float(channels)


def classify_hdr(video: Track) -> str:
    """SDR, HDR10, HDR10+, Dolby Vision or HLG from mediainfo's video track fields.

    Explicit HDR format signalling wins (Dolby Vision configuration record, SMPTE ST 2094-40
    dynamic metadata, ST 2086 mastering display); otherwise a ≥10-bit BT.2020 stream with the PQ
    transfer is HDR10 and with the HLG transfer is HLG.
    """
    hdr_format = " ".join(
        _text(video.get(k))
        for k in ("hdr_format", "hdr_format_commercial", "hdr_format_compatibility")
    ).lower()
    if "dolby vision" in hdr_format:
        return "Dolby Vision"
    if "2094" in hdr_format or "hdr10+" in hdr_format:
        return "HDR10+"
    if "2086" in hdr_format or "hdr10" in hdr_format:
        return "HDR10"
    transfer = " ".join(
        _text(video.get(k))
        for k in ("transfer_characteristics", "transfer_characteristics_original")
    ).lower()
    primaries = _text(video.get("color_primaries")).lower()
    bit_depth = _integer(video.get("bit_depth"))
    wide = "2020" in primaries and (bit_depth is None or bit_depth >= 10)
    if wide and ("pq" in transfer.split() or "2084" in transfer):
        return "HDR10"
    if wide and ("hlg" in transfer or "b67" in transfer):
        return "HLG"
    return "SDR"


_TRUNCATED = "truncated: the file ends before its container says it should"


@dataclass(frozen=True, slots=True)
class _PyAVFindings:
    error: str | None = None
    framerate: float | None = None


def _inspect_with_pyav(path: Path, expected_duration: float | None) -> _PyAVFindings:
    """The stream's frame rate, and (given a duration) whether packets reach that end."""
    try:
        # Old releases carry Latin-1 tags; a strict decode would fail the whole probe.
        with av.open(str(path), metadata_errors="replace") as container:
            video = container.streams.video[0] if container.streams.video else None
            rate = (video.average_rate or video.guessed_rate) if video else None
            framerate = float(rate) if rate else None
            if expected_duration is None:
                return _PyAVFindings(framerate=framerate)
            return _PyAVFindings(_tail_error(container, expected_duration), framerate)
    except (av.FFmpegError, OSError) as exc:
        if expected_duration is None:
            return _PyAVFindings()
        return _PyAVFindings(error=f"FFmpeg cannot read the file: {exc}")


def _tail_error(container: av.container.InputContainer, expected: float) -> str | None:
    try:
        target = max(0.0, expected - _TAIL_SECONDS)
        container.seek(int(target * av.time_base), backward=True, any_frame=True)
    except av.FFmpegError:
        return None  # no index to seek with: checking would mean reading the whole file
    end = None
    try:
        for packet in container.demux():
            if packet.is_corrupt:
                return f"corrupt data near the end (stream {packet.stream.index})"
            timestamp = packet.pts if packet.pts is not None else packet.dts
            if timestamp is None or packet.time_base is None:
                continue
            start = packet.stream.start_time or 0
            packet_end = float((timestamp - start + (packet.duration or 0)) * packet.time_base)
            end = packet_end if end is None else max(end, packet_end)
    except av.FFmpegError as exc:
        return f"unreadable data near the end: {exc}"
    if end is None:
        return "no packets near the end of the file"
    if end < expected - max(0.5, expected * 0.01):
        return f"truncated: content stops at {end:.1f}s of {expected:.1f}s"
    return None


def _readable_size(path: Path) -> tuple[int, bool, str | None]:
    """The file's size, whether its last bytes are zeros, or why it cannot be probed.

    The reason is named plainly: it shows up in the UI. One open serves both reads (a round
    trip saved per file over SMB); the tail is read for every file, the integrity rules only
    look at it for the containers whose size libmediainfo checks.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return 0, False, "file not found (it may have been moved or deleted)"
    except PermissionError:
        return 0, False, "permission denied"
    except OSError as exc:
        return 0, False, f"cannot access the file: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return 0, False, "not a regular file"
    if info.st_size == 0:
        return 0, False, "empty file (0 bytes)"
    try:
        with path.open("rb") as handle:
            handle.read(1)
            return info.st_size, _ends_in_zeros(handle, info.st_size), None
    except PermissionError:
        return 0, False, "permission denied"
    except OSError as exc:
        return 0, False, f"cannot read the file: {exc.strerror or exc}"


def _ends_in_zeros(handle: BinaryIO, size: int) -> bool:
    try:
        handle.seek(max(0, size - _TAIL_BYTES))
        return not handle.read(_TAIL_BYTES).strip(b"\0")
    except OSError:
        return True  # let the tail check say what is wrong


def _main_audio(audios: list[dict[str, str]]) -> dict[str, str]:
    return next((a for a in audios if _text(a.get("default")).startswith("Yes")), audios[0])


def _channels(audio: Track) -> float:
    counts = [int(n) for n in re.findall(r"\d+", _text(audio.get("channel_s")))]
    if not counts:
        return 0.0
    # "8 / 6" = DTS-HD MA 7.1 with a 5.1 core: the best the track offers is what counts.
    return channel_layout_value(max(counts), _text(audio.get("channel_layout")) or None)


def _subtitle_language(text: Track) -> str:
    words = re.findall(r"[a-z]+", _text(text.get("title")).lower())
    flags = {_TITLE_FLAVOURS[w] for w in words if w in _TITLE_FLAVOURS}
    if _text(text.get("forced")).startswith("Yes"):
        flags.add("forced")
    return _language(_text(text.get("language")), tuple(sorted(flags)), subtitle=True)


def _language(raw: str, flags: tuple[str, ...] = (), *, subtitle: bool = False) -> str:
    try:
        if subtitle:
            return normalize_subtitle_language(raw or None, flags=flags)
        return normalize_language(raw or None)
    except babelfish.Error:  # codes with no ISO 639-1 form ("fil", "yue") raise there
        return UNDETERMINED


def _text(value: object) -> str:
    return str(value).strip() if value is not None else ""


def _number(value: object) -> float | None:
    """mediainfo gives ints, floats or strings such as "23.976" or "1000 / 800"."""
    if isinstance(value, int | float):
        return float(value)
    match = re.match(r"\s*(\d+(?:\.\d+)?)", _text(value))
    return float(match.group(1)) if match else None


def _integer(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _rounded(value: float | None) -> float | None:
    return round(value, 3) if value else None


def _seconds(milliseconds: object) -> float | None:
    value = _number(milliseconds)
    return round(value / 1000, 3) if value else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())
