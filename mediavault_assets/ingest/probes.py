"""Probe rows for file_probes: media facts plus seed 000's language columns."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

import polars as pl

from mediavault_assets.domain.languages import language_facts
from mediavault_assets.domain.model import ProbeFacts
from mediavault_assets.domain.pickling import tuple_pickled
from mediavault_assets.domain.quality import quality_tier

PROBE_SCHEMA = {
    "file_id": pl.Int64,
    "root_key": pl.String,
    "file_size": pl.Int64,
    "mtime_ns": pl.Int64,
    "inode": pl.UInt64,
    "duration": pl.Float64,
    "format": pl.String,
    "video_codec": pl.String,
    "audio_codec": pl.String,
    "width": pl.Int32,
    "height": pl.Int32,
    "bitrate": pl.Int32,
    "framerate": pl.Float64,
    "quality_tier": pl.String,
    "hdr_type": pl.String,
    "audio_channels": pl.Float64,
    "audio_track_count": pl.Int32,
    "subtitle_track_count": pl.Int32,
    "audio_languages": pl.List(pl.String),
    "subtitle_languages": pl.List(pl.String),
    "embedded_subtitle_languages": pl.List(pl.String),
    "has_english_audio": pl.Boolean,
    "has_english_subtitles": pl.Boolean,
    "is_foreign_film": pl.Boolean,
    "language_detected_at": pl.Datetime("us"),
    "integrity_error": pl.String,
    "probe_error": pl.String,
    "probed_at": pl.Datetime("us"),
    "chapters": pl.String,
}


@tuple_pickled
@dataclass(frozen=True, slots=True)
class ProbeTask:
    """A file whose probe is missing or was made on other bytes (size, mtime or inode changed)."""

    file_id: int
    local_path: str
    file_size: int
    mtime_ns: int
    inode: int
    sidecar_languages: tuple[str, ...]


def sidecar_languages(sidecars_json: str | None) -> tuple[str, ...]:
    if not sidecars_json:
        return ()
    return tuple(
        s["language"]
        for s in json.loads(sidecars_json)
        if s.get("kind") == "subtitle" and s.get("language")
    )


def probe_row(
    task: ProbeTask, root_key: str, facts: ProbeFacts, now: datetime
) -> dict[str, object]:
    subtitles = tuple(dict.fromkeys((*facts.subtitle_languages, *task.sidecar_languages)))
    languages = language_facts(facts.audio_languages, subtitles)
    probed = facts.probe_error is None
    return {
        "file_id": task.file_id,
        "root_key": root_key,
        "file_size": task.file_size,
        "mtime_ns": task.mtime_ns,
        "inode": task.inode,
        "duration": facts.duration,
        "format": facts.container,
        "video_codec": facts.video_codec,
        "audio_codec": facts.audio_codec,
        "width": facts.width,
        "height": facts.height,
        "bitrate": facts.bitrate,
        "framerate": facts.framerate,
        "quality_tier": quality_tier(facts.width, facts.height) if probed else None,
        "hdr_type": facts.hdr_type if probed else None,
        "audio_channels": facts.audio_channels,
        "audio_track_count": facts.audio_track_count,
        "subtitle_track_count": facts.subtitle_track_count,
        "audio_languages": list(languages.audio_languages),
        "subtitle_languages": list(languages.subtitle_languages),
        "embedded_subtitle_languages": list(facts.subtitle_languages),
        "has_english_audio": languages.has_english_audio,
        "has_english_subtitles": languages.has_english_subtitles,
        "is_foreign_film": languages.is_foreign_film,
        "language_detected_at": now if probed else None,
        "integrity_error": facts.integrity_error,
        "probe_error": facts.probe_error,
        "probed_at": now,
        "chapters": json.dumps([asdict(c) for c in facts.chapters]) if facts.chapters else None,
    }


def probe_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PROBE_SCHEMA)
