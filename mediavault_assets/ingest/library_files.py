"""LibraryFile values for the domain core, from sql/queries/library_files.sql rows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import polars as pl

from mediavault_assets.domain.model import Chapter, LibraryFile, ProbeFacts, Sidecar, TmdbMatch
from mediavault_assets.ingest.names import parsed_name_from_row


def _sidecars(sidecars_json: str | None) -> tuple[Sidecar, ...]:
    if not sidecars_json:
        return ()
    return tuple(Sidecar(**s) for s in json.loads(sidecars_json))


def _tmdb_match(r: Mapping[str, Any]) -> TmdbMatch | None:
    if r["matched_tmdb_id"] is None:
        return None
    return TmdbMatch(r["matched_tmdb_id"], r["matched_tmdb_type"], r["match_confidence"] or 0.0)


def library_files(rows: pl.DataFrame) -> list[LibraryFile]:
    files = []
    for r in rows.iter_rows(named=True):
        probe = ProbeFacts(
            duration=r["duration"],
            container=r["format"],
            video_codec=r["video_codec"],
            audio_codec=r["audio_codec"],
            width=r["width"],
            height=r["height"],
            bitrate=r["bitrate"],
            framerate=r["framerate"],
            hdr_type=r["hdr_type"] or "SDR",
            audio_channels=r["audio_channels"],
            audio_track_count=r["audio_track_count"] or 0,
            subtitle_track_count=r["subtitle_track_count"] or 0,
            audio_languages=tuple(r["audio_languages"] or ()),
            subtitle_languages=tuple(r["embedded_subtitle_languages"] or ()),
            integrity_error=r["integrity_error"],
            probe_error=r["probe_error"],
            chapters=tuple(Chapter(**c) for c in json.loads(r["chapters"] or "[]")),
        )
        files.append(
            LibraryFile(
                file_id=r["file_id"],
                root_key=r["root_key"],
                relative_path=r["relative_path"],
                path=r["filepath"],
                size=r["file_size"],
                device=r["device"],
                inode=r["inode"],
                nlink=r["link_count"],
                mtime=r["mtime_ns"] / 1e9,
                parsed=parsed_name_from_row(r),
                probe=probe,
                md5=r["md5_hash"],
                sha256=r["sha256_hash"],
                sidecars=_sidecars(r["sidecars"]),
                original_language=r["original_language"],
                tmdb_match=_tmdb_match(r),
                user_score=r["user_score"],
            )
        )
    return files
