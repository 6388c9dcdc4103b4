"""Read-only, sandboxed SQL over the published warehouse snapshot, for the chat's tools.

SQL written by a model (or by the offline router) runs here and nowhere else:

- exactly one statement, of type SELECT (`duckdb.extract_statements`), checked here;
- then, in a child process (mediavault_assets.limited) with an address-space limit and a hard
  kill shortly after the timeout, the sandbox connection of mediavault_assets.sql_sandbox:
  read-only, no files or network, only the `chat_*` views and the seeds' own tables,
  interrupted at the timeout. A prompt-injected file name can ask for
  `repeat('x', 1000000000)`; in the app's own process that went past DuckDB's memory limit
  (strings live outside it) and could get the app OOM-killed;
- a row cap.

Every refusal raises `SqlRefused` with a message meant for both the person and the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from mediavault_assets import sql_sandbox
from mediavault_assets.limited import ChildFailed, ChildTimeout, Limits, run_limited
from mediavault_assets.snapshot import NO_DATA_YET, DataUnavailable
from mediavault_assets.sql_sandbox import (
    SqlError,
    SqlFailed,
    SqlRefused,
    SqlTimeout,
    chat_sql,
    chat_views,
    first_line,
    seed_tables,
)

__all__ = [
    "ROW_CAP",
    "QueryResult",
    "SafeSql",
    "SqlError",
    "SqlFailed",
    "SqlRefused",
    "SqlRun",
    "SqlTimeout",
    "chat_sql",
    "chat_views",
    "seed_tables",
    "single_select",
]

ROW_CAP = 200
TIMEOUT_SECONDS = 5.0
# The child's whole address space: DuckDB's 512 MB buffer limit plus the interpreter, the
# library and strings DuckDB allocates outside its buffer manager.
MEMORY_LIMIT_BYTES = 1024 * 2**20
# Starting the child and opening the snapshot; past timeout + this, it is killed.
STARTUP_SECONDS = 10.0
_REFUSED_TYPES: dict[str, str] = {
    "ATTACH": "attaching other databases is not allowed",
    "DETACH": "detaching databases is not allowed",
    "COPY": "COPY reads or writes files, which is not allowed",
    "COPY_DATABASE": "copying databases is not allowed",
    "EXPORT": "EXPORT writes files, which is not allowed",
    "PRAGMA": "PRAGMA statements are not allowed",
    "SET": "SET/RESET (changing settings) is not allowed",
    "VARIABLE_SET": "SET VARIABLE is not allowed",
    "LOAD": "loading extensions is not allowed",
    "EXTENSION": "installing extensions is not allowed",
    "CALL": "CALL is not allowed",
}
_WRITES = frozenset(
    {"INSERT", "UPDATE", "DELETE", "MERGE_INTO", "CREATE", "CREATE_FUNC", "DROP", "ALTER"}
)


@dataclass(frozen=True)
class QueryResult:
    sql: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool  # more rows existed than the cap let through
    elapsed_s: float

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class SqlRun:
    """One tool call's SQL and what came of it, as shown under an answer and stored."""

    tool: str
    sql: str
    params: dict[str, Any] | None = None
    result: QueryResult | None = None
    error: str | None = None

    def to_json(self, max_rows: int = 50) -> dict[str, Any]:
        data: dict[str, Any] = {
            "tool": self.tool,
            "sql": self.sql,
            "params": self.params,
            "error": self.error,
        }
        if self.result is not None:
            data |= {
                "columns": self.result.columns,
                "rows": [list(row) for row in self.result.rows[:max_rows]],
                "row_count": len(self.result.rows),
                "truncated": self.result.truncated or len(self.result.rows) > max_rows,
            }
        return data


def single_select(sql: str) -> str:
    """The one SELECT statement in `sql`, or SqlRefused saying why not."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise SqlRefused(f"Refused: the SQL could not be parsed ({first_line(error)}).") from None
    if not statements:
        raise SqlRefused("Refused: the query is empty; send one SELECT statement.")
    if len(statements) > 1:
        raise SqlRefused(
            f"Refused: exactly one statement is allowed, got {len(statements)}; "
            "send a single SELECT."
        )
    kind = statements[0].type.name
    if kind != "SELECT":
        fallback = "writing is not allowed" if kind in _WRITES else "it is not a SELECT"
        why = _REFUSED_TYPES.get(kind, f"{kind} statement: {fallback}")
        raise SqlRefused(f"Refused: {why}. Only a read-only SELECT over the library's tables runs.")
    return statements[0].query.strip().removesuffix(";").strip()


class SafeSql:
    """Runs one checked SELECT at a time in a fresh sandbox over `snapshot`."""

    def __init__(
        self, snapshot: Path, *, row_cap: int = ROW_CAP, timeout_s: float = TIMEOUT_SECONDS
    ) -> None:
        self.snapshot = Path(snapshot)
        self.row_cap = row_cap
        self.timeout_s = timeout_s

    def run(self, sql: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        statement = single_select(sql)
        self.require_snapshot()
        columns, rows, elapsed = self._in_child(
            sql_sandbox.execute,
            self.snapshot,
            statement,
            dict(params) if params else None,
            self.row_cap,
            self.timeout_s,
        )
        return QueryResult(
            sql=statement,
            columns=columns,
            rows=rows[: self.row_cap],
            truncated=len(rows) > self.row_cap,
            elapsed_s=elapsed,
        )

    def attempt(self, tool: str, sql: str, params: Mapping[str, Any] | None = None) -> SqlRun:
        """`run`, with a refusal or failure recorded instead of raised."""
        shown = dict(params) if params else None
        try:
            return SqlRun(tool, sql.strip(), shown, result=self.run(sql, params))
        except SqlError as error:
            return SqlRun(tool, sql.strip(), shown, error=str(error))

    def schema(self) -> dict[str, list[tuple[str, str]]]:
        """Every queryable relation's columns and types (the chat views first), for the tool
        description and for intents that use a table only once the warehouse has it."""
        self.require_snapshot()
        schema: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in self._in_child(sql_sandbox.schema, self.snapshot):
            schema.setdefault(table, []).append((column, data_type))
        return schema

    def require_snapshot(self) -> None:
        if not self.snapshot.exists():
            raise DataUnavailable(NO_DATA_YET)

    def _in_child(self, function: Any, *args: Any) -> Any:
        limits = Limits(
            wall_seconds=self.timeout_s + STARTUP_SECONDS, memory_bytes=MEMORY_LIMIT_BYTES
        )
        try:
            return run_limited(function, *args, limits=limits)
        except ChildTimeout:
            raise SqlTimeout(sql_sandbox.timeout_message(self.timeout_s)) from None
        except ChildFailed:  # killed by the address-space limit outside DuckDB's own checks
            raise SqlFailed(sql_sandbox.MEMORY_MESSAGE) from None
