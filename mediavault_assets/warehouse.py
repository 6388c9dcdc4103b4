"""The DuckDB warehouse: one resource owns connections, migrations and partition writes.

DuckDB admits one writing process at a time and a reader is refused while another process writes,
so connections are short-lived and opening one retries while the file is locked. Steps that use
this resource run in the "duckdb" concurrency pool (see defs/), so Dagster runs never fight over it.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import polars as pl

from mediavault_assets import sql_files

POOL = "duckdb"


class _Sessions(threading.local):
    """Per thread: warehouse path -> the connection of the session open there."""

    def __init__(self) -> None:
        self.by_path: dict[str, duckdb.DuckDBPyConnection] = {}


_sessions = _Sessions()
Params = Sequence[Any] | Mapping[str, Any]
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# When a step last looked at a row, not what the row says: a re-scan rewrites these alone.
BOOKKEEPING_COLUMNS = frozenset(
    {"scanned_at", "probed_at", "parsed_at", "hashed_at", "matched_at", "fetched_at", "scored_at"}
)


class _Unchanged(Exception):
    """Raised inside a transaction whose writes changed nothing: roll back, quietly."""


class WarehouseBusyError(RuntimeError):
    """The warehouse file stayed locked by another process for longer than the wait allows."""


def _identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def _is_lock_conflict(error: duckdb.Error) -> bool:
    text = str(error)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


class Warehouse(dg.ConfigurableResource):
    """MediaVault's DuckDB file: schema migrations, partition replacement and queries."""

    path: str
    lock_wait_seconds: float = 120.0

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        from mediavault_assets.run_recovery import record_worker  # it imports POOL from here

        record_worker(context)
        self.migrate()

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection; waits (with backoff) while another process holds the file.

        Inside `session()` it is the session's connection (read-write, left open).
        """
        held = _sessions.by_path.get(self.path)
        if held is not None:
            yield held
            return
        with self._open(read_only=read_only) as connection:
            yield connection

    @contextmanager
    def session(self) -> Iterator[None]:
        """One connection for everything inside (a step's reads and writes).

        Opening the file costs ~20 ms on a 20,000-file warehouse, and a step made several
        connections; a session still ends with the step, so no other process waits on the lock
        while this one walks, probes or hashes.
        """
        if self.path in _sessions.by_path:
            yield
            return
        with self._open(read_only=False) as connection:
            _sessions.by_path[self.path] = connection
            try:
                yield
            finally:
                del _sessions.by_path[self.path]

    @contextmanager
    def _open(self, *, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_wait_seconds
        delay = 0.05
        while True:
            try:
                connection = duckdb.connect(self.path, read_only=read_only)
                break
            except duckdb.Error as error:
                if not _is_lock_conflict(error):
                    raise
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(
                        f"The warehouse {self.path} is in use by another process "
                        f"(waited {self.lock_wait_seconds:.0f}s)."
                    ) from error
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        try:
            yield connection
        finally:
            connection.close()

    @property
    def snapshot_path(self) -> Path:
        return snapshot_path_for(Path(self.path))

    def publish_snapshot(self) -> Path:
        """Copy the warehouse to a read-only snapshot for the review app.

        The app never opens the file Dagster writes (DuckDB would block one or the other); it
        reads this copy, which is replaced atomically so open readers keep a consistent file.
        """
        target = self.snapshot_path
        partial = target.with_name(target.name + ".partial")
        # A publish killed midway leaves its copy's WAL, which DuckDB would replay onto the
        # next copy: stale tables in the snapshot, or a refused open.
        leftovers = (partial, partial.with_name(partial.name + ".wal"))
        for path in leftovers:
            path.unlink(missing_ok=True)
        stamp_file = target.with_name(target.name + ".source")
        with self.connect() as con:
            con.execute("CHECKPOINT")
            stamp = self._snapshot_stamp()
            if target.exists() and _read_text(stamp_file) == stamp:
                return target  # nothing was written since the last publish
            shutil.copyfile(self.path, partial)
        try:
            # Read-side tables (sql/snapshot/) are built into the copy, never into the warehouse.
            with duckdb.connect(str(partial)) as con:
                build_snapshot_tables(con)
            os.replace(partial, target)
            stamp_file.write_text(stamp, encoding="utf-8")
        finally:
            for path in leftovers:
                path.unlink(missing_ok=True)
        return target

    def _snapshot_stamp(self) -> str:
        """The checkpointed file's size and mtime, and the snapshot tables' SQL."""
        stat = os.stat(self.path)
        tables = "\n".join(sql for _name, sql in sql_files.snapshot_tables())
        return f"{stat.st_size} {stat.st_mtime_ns} {hashlib.sha256(tables.encode()).hexdigest()}"

    def schema_version(self) -> int:
        with self.connect() as con:
            return _current_version(con)

    def migrate(self, up_to: int | None = None) -> int:
        """Apply pending migrations, each in its own transaction, then re-create the views.

        `up_to` stops at an older version (to build an old file in tests); views need the
        latest schema, so they are only created when migrating all the way.
        """
        with self.connect() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
            )
            applied = {
                row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()
            }
            before = len(applied)
            for version, name, sql in sql_files.migrations():
                # Any version not applied yet runs, so a migration merged late is not skipped.
                if version in applied or (up_to is not None and version > up_to):
                    continue
                con.execute("BEGIN TRANSACTION")
                try:
                    con.execute(sql)
                    con.execute(
                        "INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name]
                    )
                    con.execute("COMMIT")
                except Exception:
                    con.execute("ROLLBACK")
                    raise
                applied.add(version)
            if up_to is None:
                self._create_views(con, migrated=len(applied) != before)
            return max(applied, default=0)

    @staticmethod
    def _create_views(con: duckdb.DuckDBPyConnection, *, migrated: bool) -> None:
        """Re-create the views when they or the schema changed.

        Re-creating them on every connect would make each step a write, and an unchanged
        warehouse file is what lets publish_snapshot skip copying it.
        """
        views = sql_files.views()
        digest = hashlib.sha256("\n".join(sql for _name, sql in views).encode()).hexdigest()
        con.execute("CREATE TABLE IF NOT EXISTS schema_views (digest VARCHAR NOT NULL)")
        current = con.execute("SELECT digest FROM schema_views").fetchall()
        if not migrated and current == [(digest,)]:
            return
        con.execute("BEGIN TRANSACTION")
        for _name, sql in views:
            con.execute(sql)
        con.execute("DELETE FROM schema_views")
        con.execute("INSERT INTO schema_views VALUES (?)", [digest])
        con.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside BEGIN ... COMMIT; any exception rolls everything back."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                con.execute("COMMIT")
            except _Unchanged:
                con.execute("ROLLBACK")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    @contextmanager
    def rewrite(self, tables: Sequence[str]) -> Iterator[duckdb.DuckDBPyConnection]:
        """A transaction that rebuilds `tables` (SQL that deletes and re-inserts them), rolled
        back when they end up exactly as they were: a refresh that changes nothing leaves the
        file untouched, so the snapshot is not copied again."""
        names = [_identifier(t) for t in tables]
        with self.transaction() as con:
            for name in names:
                con.execute(f"CREATE OR REPLACE TEMP TABLE before_{name} AS SELECT * FROM {name}")
            yield con
            changed = any(
                con.execute(
                    f"SELECT EXISTS (SELECT * FROM {name} EXCEPT ALL SELECT * FROM before_{name})"
                    f" OR EXISTS (SELECT * FROM before_{name} EXCEPT ALL SELECT * FROM {name})"
                ).fetchone()[0]
                for name in names
            )
            for name in names:
                con.execute(f"DROP TABLE before_{name}")
            if not changed:
                raise _Unchanged

    def replace_rows(
        self,
        table: str,
        frame: pl.DataFrame,
        *,
        where: str,
        params: Sequence[Any] = (),
        kept: Sequence[str] = (),
    ) -> int:
        """In one transaction make the rows matching `where` exactly `frame` (see `replace_in`;
        `kept` columns keep their values in rows that stay).

        A failure anywhere leaves the previous rows intact.
        """
        with self.transaction() as con:
            replace_in(con, table, frame, where, params, kept=kept)
        return frame.height

    def replace_tables(
        self, frames: Mapping[str, pl.DataFrame], *, keep: Mapping[str, str] | None = None
    ) -> None:
        """Replace several tables' content in one transaction.

        `keep` maps a table to a condition on rows that stay (e.g. history of staged files).
        """
        keep = keep or {}
        with self.transaction() as con:
            for table, frame in frames.items():
                where = f"NOT ({keep[table]})" if table in keep else "true"
                replace_in(con, table, frame, where, ())

    def replace_partition(self, table: str, root_key: str, frame: pl.DataFrame) -> int:
        """Replace one library root's rows of `table` (the per-root partition) atomically."""
        return self.replace_rows(table, frame, where="root_key = ?", params=[root_key])

    def replace_keys(
        self, table: str, column: str, keys: Sequence[int], frame: pl.DataFrame
    ) -> int:
        """Replace the rows whose `column` is in `keys` (e.g. re-probed files) atomically."""
        keys_frame = pl.DataFrame({"k": list(keys)}, schema={"k": pl.Int64})
        with self.transaction() as con:
            con.register("replaced_keys", keys_frame)
            where = f"{_identifier(column)} IN (SELECT k FROM replaced_keys)"
            replace_in(con, table, frame, where, ())
        return frame.height

    def frame(self, sql: str, params: Params = ()) -> pl.DataFrame:
        """Run a query and return a polars frame."""
        with self.connect() as con:
            return con.sql(sql, params=bound_params(params)).pl()

    def named(self, query_name: str, params: Params = ()) -> pl.DataFrame:
        """Run sql/queries/<query_name>.sql and return its rows."""
        return self.frame(sql_files.query(query_name), params)

    def execute(self, sql: str, params: Params = ()) -> None:
        with self.connect() as con:
            con.execute(sql, bound_params(params))

    def execute_named(self, query_name: str, params: Params = ()) -> None:
        """Run the statement in sql/queries/<query_name>.sql."""
        self.execute(sql_files.query(query_name), params)

    def delete_named(self, query_name: str, params: Params = ()) -> int:
        """Run the DELETE in sql/queries/<query_name>.sql; returns how many rows it deleted."""
        with self.connect() as con:
            row = con.execute(sql_files.query(query_name), bound_params(params)).fetchone()
            return int(row[0]) if row else 0


def in_one_session(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run an op or asset (taking the `warehouse` resource) on one warehouse connection."""

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            with kwargs["warehouse"].session():
                yield from fn(*args, **kwargs)

        return generator

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        with kwargs["warehouse"].session():
            return fn(*args, **kwargs)

    return function


def replace_in(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    where: str,
    params: Params,
    *,
    kept: Sequence[str] = (),
) -> None:
    """In an open transaction: make the rows matching `where` exactly `frame` (by name).

    Only rows that differ are deleted and inserted, and a row that differs only in when it was
    last looked at (BOOKKEEPING_COLUMNS) is updated in place: a refresh that finds nothing new
    leaves the file untouched, so the snapshot is not copied again. Columns `frame` lacks, and
    the `kept` ones (e.g. created_at), keep their values in rows that stay.
    """
    table = _identifier(table)
    if not frame.height:
        con.execute(f"DELETE FROM {table} WHERE {where}", bound_params(params))
        return
    con.register("incoming_frame", frame)
    try:
        _stage_incoming(con, table, list(frame.columns), "SELECT * FROM incoming_frame", None)
    finally:
        con.unregister("incoming_frame")
    _apply_incoming(con, table, list(frame.columns), where, params, kept)


def replace_with_query(
    con: duckdb.DuckDBPyConnection,
    table: str,
    query: str,
    params: Params = (),
    *,
    kept: Sequence[str] = (),
) -> None:
    """In an open transaction: make `table` exactly what `query` selects (columns by name),
    writing only the rows that differ (see `replace_in`)."""
    table = _identifier(table)
    bound = bound_params(params)
    columns = [d[0] for d in con.execute(f"SELECT * FROM ({query}) LIMIT 0", bound).description]
    _stage_incoming(con, table, columns, query, bound)
    _apply_incoming(con, table, columns, "true", (), kept)


def _stage_incoming(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    source: str,
    bound: list[Any] | dict[str, Any] | None,
) -> None:
    """incoming_rows: `source` in the table's own types, so rows compare as they would be
    stored."""
    listed = ", ".join(f'"{_identifier(c)}"' for c in columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE incoming_rows AS SELECT {listed} FROM {table} LIMIT 0"
    )
    con.execute(f"INSERT INTO incoming_rows BY NAME {source}", bound)


def _apply_incoming(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    where: str,
    params: Params,
    kept: Sequence[str],
) -> None:
    bound = bound_params(params)
    refreshed = [c for c in columns if c in BOOKKEEPING_COLUMNS and c not in kept]
    compared = [c for c in columns if c not in BOOKKEEPING_COLUMNS and c not in kept]
    if not compared:  # nothing but bookkeeping: every row is its own news
        con.execute(f"DELETE FROM {table} WHERE {where}", bound)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows")
        con.execute("DROP TABLE incoming_rows")
        return
    row = _row_struct(compared)
    same = f"{_row_struct(compared, 't')} = {_row_struct(compared, 'i')}"
    con.execute(
        f"DELETE FROM {table} WHERE ({where}) AND {row} NOT IN (SELECT {row} FROM incoming_rows)",
        bound,
    )
    for column in refreshed:
        con.execute(
            f'UPDATE {table} SET "{column}" = u.value FROM ('
            f'SELECT t.rowid AS row_id, i."{column}" AS value '
            f"FROM (SELECT rowid, * FROM {table} WHERE {where}) AS t "
            f"JOIN incoming_rows AS i ON {same} "
            f'WHERE t."{column}" IS DISTINCT FROM i."{column}") AS u '
            f"WHERE {table}.rowid = u.row_id",
            bound,
        )
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows "
        f"WHERE {row} NOT IN (SELECT {row} FROM {table} WHERE {where})",
        bound,
    )
    con.execute("DROP TABLE incoming_rows")


def _row_struct(columns: Sequence[str], alias: str = "") -> str:
    """One STRUCT of the columns: struct equality holds NULLs equal, as rows should."""
    prefix = f"{alias}." if alias else ""
    return "struct_pack(" + ", ".join(f'{prefix}"{c}"' for c in columns) + ")"


def bound_params(params: Params | None) -> list[Any] | dict[str, Any] | None:
    """Parameters as DuckDB takes them: a dict for $names, a list for ?, None for none."""
    if isinstance(params, Mapping):
        return dict(params)
    return list(params or ()) or None


def build_snapshot_tables(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build sql/snapshot/'s read-side tables in an open snapshot copy."""
    for _name, sql in sql_files.snapshot_tables():
        con.execute(sql)
    con.execute("CHECKPOINT")


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def snapshot_path_for(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.stem + ".snapshot.duckdb")


def _current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0
