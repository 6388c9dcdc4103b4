"""parsed_names rows from ParsedName values."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

import polars as pl

from mediavault_assets.domain.model import ParsedName

PARSED_SCHEMA = {
    "file_id": pl.Int64,
    "root_key": pl.String,
    "relative_path": pl.String,
    "media_type": pl.String,
    "title": pl.String,
    "title_key": pl.String,
    "year": pl.Int32,
    "season": pl.Int32,
    "episodes": pl.List(pl.Int32),
    "episode_title": pl.String,
    "edition": pl.String,
    "is_3d": pl.Boolean,
    "part": pl.Int32,
    "extra_kind": pl.String,
    "release_group": pl.String,
    "screen_size": pl.String,
    "tmdb_id": pl.Int64,
    "imdb_id": pl.String,
    "tvdb_id": pl.Int64,
    "parse_error": pl.String,
    "identity_doubt": pl.String,
    "parsed_at": pl.Datetime("us"),
}


_NAME_FIELDS = [f.name for f in fields(ParsedName)]


def parsed_row(
    file_id: int, root_key: str, relative_path: str, parsed: ParsedName, now: datetime
) -> dict[str, object]:
    values = {name: getattr(parsed, name) for name in _NAME_FIELDS}
    values["episodes"] = list(parsed.episodes)
    return {
        "file_id": file_id,
        "root_key": root_key,
        "relative_path": relative_path,
        **values,
        "parsed_at": now,
    }


def parsed_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PARSED_SCHEMA)


def parsed_name_from_row(row: dict[str, object]) -> ParsedName:
    """The inverse of parsed_row, for the grouping assets."""
    values = {name: row[name] for name in _NAME_FIELDS}
    values["episodes"] = tuple(values["episodes"] or ())  # type: ignore[arg-type]
    values["is_3d"] = bool(values["is_3d"])
    return ParsedName(**values)  # type: ignore[arg-type]
