"""Read access to the published warehouse snapshot, for the CLI, the sensors and the review app.

None of them ever opens the file Dagster writes (DESIGN.md): they read the copy each run
publishes, which a refresh replaces atomically, so a query sees either the old or the new file,
never half of one. Short-lived readers (CLI, sensors) open it per query; the app keeps it
attached through a SnapshotReader.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.settings import Settings
from mediavault_assets.warehouse import Params, bound_params, snapshot_path_for

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
    with _mapped_errors(), duckdb.connect(str(path), read_only=True) as con:
        return _run(con, sql, params, tables)


class SnapshotReader:
    """The snapshot attached read-only once for many queries (the review app's), attached anew
    when a refresh replaces the file.

    Opening a DuckDB file costs ~15 ms and starts with a cold cache, which a page view would pay
    for every query. The file is attached to a private in-memory database, never opened by path
    twice in one process, so a replaced snapshot can never be served from an older instance.
    """

    MEMORY_LIMIT = "1GB"  # a NAS has other work to do

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._version: tuple[int, int, int] | None = None
        self._database: duckdb.DuckDBPyConnection | None = None

    def query(
        self,
        sql: str,
        params: Params | None = None,
        *,
        tables: Mapping[str, pl.DataFrame] | None = None,
    ) -> pl.DataFrame:
        """Run one query; `tables` are frames the SQL can join by name (for this query only)."""
        with _mapped_errors(), self._cursor() as con:
            return _run(con, sql, params, tables)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise DataUnavailable(NO_DATA_YET) from None
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._database is None or version != self._version:
                database = duckdb.connect(":memory:", config={"memory_limit": self.MEMORY_LIMIT})
                database.execute(f"ATTACH {_literal(str(self.path))} AS snapshot (READ_ONLY)")
                # Queries still running keep the old file open through their own cursors.
                self._database, self._version = database, version
            cursor = self._database.cursor()
        cursor.execute("USE snapshot")
        return cursor


def read_snapshot(settings: Settings, sql: str, params: Params = ()) -> pl.DataFrame:
    return query_snapshot(snapshot_path_for(settings.warehouse_path), sql, params)


def read_named(settings: Settings, query_name: str, params: Params = ()) -> pl.DataFrame:
    """Run sql/queries/<query_name>.sql on the snapshot."""
    return read_snapshot(settings, sql_files.query(query_name), params)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """DuckDB's errors on a snapshot as DataUnavailable, saying what to do."""
    try:
        yield
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


def _run(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: Params | None,
    tables: Mapping[str, pl.DataFrame] | None,
) -> pl.DataFrame:
    for name, frame in (tables or {}).items():
        con.register(name, frame)
    return con.sql(sql, params=bound_params(params)).pl()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
