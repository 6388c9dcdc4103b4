"""Read access to the published warehouse snapshot, for the CLI and the review app.

Neither ever opens the file Dagster writes (DESIGN.md): they read the copy each run publishes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.settings import Settings
from mediavault_assets.warehouse import snapshot_path_for


class SnapshotMissing(RuntimeError):
    """No refresh has published a snapshot yet."""


def read_snapshot(
    settings: Settings, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> pl.DataFrame:
    path = snapshot_path_for(settings.warehouse_path)
    if not path.exists():
        raise SnapshotMissing(
            "No library data yet: run `mediavault refresh` (or start a scan from the Dagster UI)."
        )
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(
            sql, params=(dict(params) if isinstance(params, Mapping) else list(params)) or None
        ).pl()


def read_named(
    settings: Settings, query_name: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> pl.DataFrame:
    """Run sql/queries/<query_name>.sql on the snapshot."""
    return read_snapshot(settings, sql_files.query(query_name), params)
