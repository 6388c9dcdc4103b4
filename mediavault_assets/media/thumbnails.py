"""Seed 001's thumbnails: two sizes per video, from a frame that is not black.

Library files are untrusted input to FFmpeg's decoders, so batches are made in a child process
under limits (mediavault_assets.limited); a batch that fails is retried a file at a time, so one
hostile file costs only its own thumbnails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image, ImageStat

from mediavault_assets.limited import ChildFailed, Limits, run_limited

# seed 001's thumbnail_size values: a bounding box (aspect ratio kept).
SIZES: dict[str, tuple[int, int]] = {"160x90": (160, 90), "640x360": (640, 360)}
SKIP_SECONDS = 3.0  # past studio logos and fades from black
DARK = 16.0  # mean luma (0-255) at or below which a frame counts as black
FRAMES_TRIED = 12
BATCH = 25
PER_FILE_LIMITS = Limits(wall_seconds=30, memory_bytes=2 * 2**30, cpu_seconds=30)


@dataclass(frozen=True, slots=True)
class ThumbnailJob:
    file_id: int
    source: str
    targets: dict[str, str]  # thumbnail_size → JPEG path


def frame_image(source: Path) -> Image.Image:
    """The first key frame after the opening seconds that is not (nearly) black."""
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        seconds = container.duration / av.time_base if container.duration else 0.0
        start = min(max(seconds * 0.1, SKIP_SECONDS), seconds / 2) if seconds > 1 else 0.0
        if start:
            container.seek(int(start * av.time_base))
        chosen = None
        for tried, frame in enumerate(container.decode(stream)):
            chosen = frame.to_image()
            if ImageStat.Stat(chosen.convert("L")).mean[0] > DARK or tried >= FRAMES_TRIED:
                break
    if chosen is None:
        raise ValueError("no decodable video frame")
    return chosen


def make_thumbnails(job: ThumbnailJob) -> None:
    image = frame_image(Path(job.source))
    for size, target in job.targets.items():
        copy = image.copy()
        copy.thumbnail(SIZES[size])
        partial = Path(target).with_name(f".{Path(target).name}.partial")
        partial.parent.mkdir(parents=True, exist_ok=True)
        copy.convert("RGB").save(partial, format="JPEG", quality=80)
        partial.replace(target)


def make_batch(jobs: list[ThumbnailJob]) -> dict[int, str]:
    """Make every job's thumbnails; file id → error for those that could not be made."""
    errors: dict[int, str] = {}
    for job in jobs:
        try:
            make_thumbnails(job)
        except (OSError, ValueError, IndexError, av.FFmpegError) as error:
            errors[job.file_id] = str(error).splitlines()[0][:200] if str(error) else repr(error)
    return errors


def make_limited(jobs: list[ThumbnailJob]) -> dict[int, str]:
    """make_batch in a limited child; a batch that dies is retried file by file."""
    limits = Limits(
        wall_seconds=PER_FILE_LIMITS.wall_seconds * len(jobs),
        memory_bytes=PER_FILE_LIMITS.memory_bytes,
        cpu_seconds=PER_FILE_LIMITS.cpu_seconds * len(jobs),
    )
    try:
        return run_limited(make_batch, jobs, limits=limits)
    except ChildFailed:
        if len(jobs) == 1:
            return {jobs[0].file_id: "the decoder failed or ran out of its limits"}
        errors: dict[int, str] = {}
        for job in jobs:
            errors.update(make_limited([job]))
        return errors
