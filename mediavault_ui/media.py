"""Thumbnails and browser-playable preview clips, made with PyAV and cached on disk.

Both are made lazily, one file at a time, when a browser asks for them (a page of the library,
a group on Compare), never for the whole library. Cache names carry the file's size and mtime, so
a changed file gets a new thumbnail and preview; a file appears in the cache atomically.

Library files are untrusted input to FFmpeg's decoders: `decode_limited` runs a maker in a child
process with CPU, memory and wall-clock limits, at most DECODE_SLOTS of them at once (thumbnails
and previews alike), so one hostile or huge file cannot take the app's cores or memory.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from mediavault_assets.limited import Limits, run_limited

# What Chromium decodes by itself (DESIGN.md): everything else gets a preview clip.
PLAYABLE_CONTAINERS = frozenset({"mp4", "mov", "m4v", "webm", "mkv", "matroska"})
PLAYABLE_VIDEO = frozenset({"h264", "avc", "vp8", "vp9", "av1"})
PLAYABLE_AUDIO = frozenset({"aac", "mp3", "opus", "vorbis", "flac"})
PREVIEW_SECONDS = 60.0
PREVIEW_MAX_HEIGHT = 480
PREVIEW_WALL_SECONDS = 120.0
THUMB_WIDTH = 320
# Decoding is CPU-bound: a burst of requests must not take every core from a Dagster run.
DECODE_SLOTS = threading.BoundedSemaphore(2)
PREVIEW_LIMITS = Limits(
    wall_seconds=PREVIEW_WALL_SECONDS + 30, memory_bytes=3 * 2**30, cpu_seconds=600
)
THUMBNAIL_LIMITS = Limits(wall_seconds=30, memory_bytes=2 * 2**30, cpu_seconds=30)

# target → [its lock, how many requests hold or wait for it]; an entry goes with its last user.
_locks: dict[Path, tuple[threading.Lock, list[int]]] = {}
_locks_guard = threading.Lock()


@dataclass(frozen=True, slots=True)
class MediaFacts:
    """What the catalog says about a file's streams (media_files columns)."""

    format: str | None
    video_codec: str | None
    audio_codec: str | None


def browser_can_play(facts: MediaFacts) -> bool:
    container = (facts.format or "").lower()
    video = (facts.video_codec or "").lower()
    audio = (facts.audio_codec or "").lower()
    return (
        container in PLAYABLE_CONTAINERS
        and video in PLAYABLE_VIDEO
        and (not audio or audio in PLAYABLE_AUDIO)
    )


def cache_name(file_id: int, size: int, mtime_ns: int, suffix: str) -> str:
    return f"{file_id}-{size}-{mtime_ns}{suffix}"


def preview_path(cache_dir: Path, file_id: int, source: Path) -> Path:
    stat = source.stat()
    return cache_dir / "previews" / cache_name(file_id, stat.st_size, stat.st_mtime_ns, ".mp4")


def thumbnail_path(cache_dir: Path, file_id: int, source: Path) -> Path:
    stat = source.stat()
    return cache_dir / "thumbs" / cache_name(file_id, stat.st_size, stat.st_mtime_ns, ".jpg")


def ensure_cached(target: Path, make: Callable[[Path], None]) -> Path:
    """Make `target` once (concurrent requests for the same file wait for the first)."""
    with _file_lock(target):
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
            try:
                make(partial)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
    return target


@contextmanager
def _file_lock(target: Path) -> Iterator[None]:
    with _locks_guard:
        lock, users = _locks.setdefault(target, (threading.Lock(), [0]))
        users[0] += 1
    try:
        with lock:
            yield
    finally:
        with _locks_guard:
            users[0] -= 1
            if not users[0]:
                del _locks[target]


def decode_limited(
    make: Callable[[Path, Path], None], source: Path, target: Path, limits: Limits
) -> None:
    """`make(source, target)` in a child process under `limits`, in one of the DECODE_SLOTS."""
    with DECODE_SLOTS:
        run_limited(make, source, target, limits=limits)


def make_thumbnail(source: Path, target: Path, *, width: int = THUMB_WIDTH) -> None:
    """A JPEG of a key frame about 10 % in (past logos and black intros)."""
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        if container.duration and container.duration > 4 * av.time_base:
            container.seek(container.duration // 10)
        frame = next(container.decode(stream))
        image = frame.to_image()
    image.thumbnail((width, width * 2))
    image.save(target, format="JPEG", quality=80)


def make_preview(
    source: Path,
    target: Path,
    *,
    max_seconds: float = PREVIEW_SECONDS,
    max_height: int = PREVIEW_MAX_HEIGHT,
    max_wall_seconds: float = PREVIEW_WALL_SECONDS,
) -> None:
    """An H.264/AAC MP4 of the first `max_seconds`, at most `max_height` lines, for the browser.

    Packets without timestamps (raw streams, some AVIs) cannot say where the clip ends: the
    frame count and a packet count stop those, and the clip ends short at `max_wall_seconds`."""
    deadline = time.monotonic() + max_wall_seconds
    with (
        av.open(str(source)) as inp,
        av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out,
    ):
        vin = inp.streams.video[0] if inp.streams.video else None
        ain = inp.streams.audio[0] if inp.streams.audio else None
        if vin is None:
            raise ValueError("no video stream")
        vin.thread_type = "AUTO"  # frame threads too: 4K HEVC decodes on every core
        rate = vin.average_rate or vin.guessed_rate or Fraction(25)
        # Anamorphic sources (DVB, DVD) store a pixel aspect ratio: show them at display shape.
        sar = vin.codec_context.sample_aspect_ratio or Fraction(1)
        width, height = _scaled(vin.codec_context.width * sar, vin.codec_context.height, max_height)
        vout = out.add_stream("libx264", rate=rate)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        vout.options = {"preset": "ultrafast", "crf": "26"}  # a local preview: speed over size
        aout = resampler = None
        if ain is not None:
            aout = out.add_stream("aac", rate=48_000, layout="stereo")
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48_000)
        frame_cap = int((max_seconds + 1) * rate) + 1  # with timestamps, never reached
        packet_cap = 8 * frame_cap + 256  # audio packets come several per video frame
        frames = samples = packets = 0
        for packet in inp.demux(*(s for s in (vin, ain) if s is not None)):
            packets += 1
            # Stop reading once the video is past the clip: a feature film is not decoded whole.
            if packet.stream is vin and _seconds(packet) > max_seconds + 2:
                break
            if frames >= frame_cap or packets > packet_cap or time.monotonic() > deadline:
                break
            for frame in packet.decode():
                if frame.time is not None and frame.time > max_seconds:
                    continue
                if packet.stream is vin:
                    scaled = frame.reformat(
                        width=width, height=height, format="yuv420p", interpolation="FAST_BILINEAR"
                    )
                    scaled.pts, scaled.time_base = frames, 1 / Fraction(rate)
                    frames += 1
                    out.mux(vout.encode(scaled))
                elif aout is not None and resampler is not None:
                    for chunk in resampler.resample(frame):
                        chunk.pts, chunk.time_base = samples, Fraction(1, 48_000)
                        samples += chunk.samples
                        out.mux(aout.encode(chunk))
        out.mux(vout.encode(None))
        if aout is not None:
            out.mux(aout.encode(None))
    if frames == 0:
        raise ValueError("no decodable video frame")


def _seconds(packet: av.Packet) -> float:
    # AVI packets often carry only a decode timestamp.
    stamp = packet.pts if packet.pts is not None else packet.dts
    if stamp is None or packet.time_base is None:
        return 0.0
    return float(stamp * packet.time_base)


def _scaled(width: Fraction | int, height: int, max_height: int) -> tuple[int, int]:
    if height > max_height:
        width, height = width * max_height / height, max_height
    w = round(width)
    return max(2, w - w % 2), max(2, height - height % 2)
