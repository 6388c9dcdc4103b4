"""Read access to the published warehouse snapshot, for the CLI, the sensors and the review app.

None of them ever opens the file Dagster writes (DESIGN.md): they read the copy each run
publishes. Every query opens the snapshot read-only, runs and closes; a refresh replaces the
snapshot atomically, so a query sees either the old or the new file, never half of one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.settings import Settings
from mediavault_assets.warehouse import snapshot_path_for

Params = Sequence[Any] | Mapping[str, Any]

NO_DATA_YET = (
    "No library data yet: run `mediavault refresh` "
    "(or start a scan on the review app's Scans page or in the Dagster UI)."
)


class DataUnavailable(RuntimeError):
    """Nothing to read yet: no settings, no published snapshot, or a snapshot written by a
    version that lacks what is asked for. The message says what to do."""


def query_snapshot(
    path: Path,
    sql: str,
    params: Params | None = None,
    *,
    tables: Mapping[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Run one query on the snapshot at `path`; `tables` are frames the SQL can join by name."""
    if not path.exists():
        raise DataUnavailable(NO_DATA_YET)
    bound = (dict(params) if isinstance(params, Mapping) else list(params)) if params else None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            for name, frame in (tables or {}).items():
                con.register(name, frame)
            return con.sql(sql, params=bound).pl()
    except (duckdb.CatalogException, duckdb.BinderException) as error:
        # A snapshot written by an older version lacks a table or column asked for.
        raise DataUnavailable(
            "The library snapshot does not have what this page needs "
            f"({_first_line(error)}). Run `mediavault refresh` to publish a new one."
        ) from None
    except duckdb.IOException as error:
        raise DataUnavailable(
            f"The library snapshot could not be opened ({_first_line(error)}). "
            "It is replaced after every refresh: try again in a moment."
        ) from None


def read_snapshot(settings: Settings, sql: str, params: Params = ()) -> pl.DataFrame:
    return query_snapshot(snapshot_path_for(settings.warehouse_path), sql, params)


def read_named(settings: Settings, query_name: str, params: Params = ()) -> pl.DataFrame:
    """Run sql/queries/<query_name>.sql on the snapshot."""
    return read_snapshot(settings, sql_files.query(query_name), params)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
