"""Read-only, sandboxed SQL over the published warehouse snapshot, for the chat's tools.

SQL written by a model (or by the offline router) runs here and nowhere else:

- a separate in-memory DuckDB connection that ATTACHes the snapshot READ_ONLY, creates the
  curated `chat_*` views (sql/chat/view_*.sql) as temp views, then turns external access off
  (no files, no network, no extension loading) and locks its configuration. It never opens the
  snapshot by path: DuckDB refuses a second `connect()` to one file with a different config, and
  the app's own short read-only connections to the snapshot must keep working beside it;
- exactly one statement, of type SELECT (`duckdb.extract_statements`);
- only the `chat_*` views (and CTEs) as relations, and no table functions besides generators
  (checked on DuckDB's own parse tree, `json_serialize_sql`), so file readers, `query()` and the
  raw tables stay out of reach even where the engine would allow them;
- a row cap, and a timer that interrupts a query running too long.

Every refusal raises `SqlRefused` with a message meant for both the person and the model.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from mediavault_assets.snapshot import NO_DATA_YET, DataUnavailable
from mediavault_assets.sql_files import SQL_DIR

CHAT_SQL_DIR = SQL_DIR / "chat"
ROW_CAP = 200
TIMEOUT_SECONDS = 5.0
# Generators only: every other table function reads files, other databases or the catalog.
ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
_SANDBOX_CONFIG = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "threads": 2,
    "memory_limit": "512MB",
}
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


class SqlError(Exception):
    """A query that did not produce rows; `str()` is a message for the person and the model."""


class SqlRefused(SqlError):
    """The query breaks a sandbox rule and was not run."""


class SqlTimeout(SqlError):
    """The query ran longer than the time limit and was interrupted."""


class SqlFailed(SqlError):
    """DuckDB rejected the query (a typo, an unknown column...)."""


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


@cache
def chat_sql(name: str) -> str:
    """The text of sql/chat/<name>.sql."""
    return (CHAT_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def chat_views() -> dict[str, str]:
    """View name → its description (the file's leading comment), from sql/chat/view_*.sql."""
    views = {}
    for path in sorted(CHAT_SQL_DIR.glob("view_chat_*.sql")):
        comment = [
            line.removeprefix("--").strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("--")
        ]
        name = path.stem.removeprefix("view_")
        views[name] = " ".join(comment).removeprefix(f"{name}:").strip()
    return views


def single_select(sql: str) -> str:
    """The one SELECT statement in `sql`, or SqlRefused saying why not."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise SqlRefused(f"Refused: the SQL could not be parsed ({_first_line(error)}).") from None
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
        raise SqlRefused(f"Refused: {why}. Only a read-only SELECT over the chat_* views runs.")
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
        with self._sandbox() as con:
            _check_relations(con, statement)
            started = time.monotonic()
            # interrupt() is the one call DuckDB takes from another thread mid-query.
            timer = threading.Timer(self.timeout_s, con.interrupt)
            timer.start()
            try:
                con.execute(statement, dict(params) if params else None)
                columns = [column[0] for column in con.description or []]
                rows = con.fetchmany(self.row_cap + 1)
            except duckdb.InterruptException:
                raise SqlTimeout(
                    f"Stopped: the query ran longer than {self.timeout_s:g} s. "
                    "Narrow it down or aggregate."
                ) from None
            except duckdb.Error as error:
                raise SqlFailed(f"The query failed: {_first_line(error)}") from None
            finally:
                timer.cancel()
        return QueryResult(
            sql=statement,
            columns=columns,
            rows=rows[: self.row_cap],
            truncated=len(rows) > self.row_cap,
            elapsed_s=time.monotonic() - started,
        )

    def attempt(self, tool: str, sql: str, params: Mapping[str, Any] | None = None) -> SqlRun:
        """`run`, with a refusal or failure recorded instead of raised."""
        shown = dict(params) if params else None
        try:
            return SqlRun(tool, sql.strip(), shown, result=self.run(sql, params))
        except SqlError as error:
            return SqlRun(tool, sql.strip(), shown, error=str(error))

    def schema(self) -> dict[str, list[tuple[str, str]]]:
        """The chat views' columns and types, for the system prompt."""
        with self._sandbox() as con:
            rows = con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_catalog = 'temp' ORDER BY table_name, ordinal_position"
            ).fetchall()
        schema: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in rows:
            schema.setdefault(table, []).append((column, data_type))
        return schema

    def require_snapshot(self) -> None:
        if not self.snapshot.exists():
            raise DataUnavailable(NO_DATA_YET)

    @contextmanager
    def _sandbox(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.require_snapshot()
        con = duckdb.connect(":memory:", config=_SANDBOX_CONFIG)
        try:
            path = str(self.snapshot).replace("'", "''")
            con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
            con.execute("USE warehouse")
            for name in chat_views():
                con.execute(chat_sql(f"view_{name}"))
            # Off and locked only now: the ATTACH above is the last file this connection opens.
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            yield con
        finally:
            con.close()


def _check_relations(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    """Refuse relations other than the chat views and CTEs, and non-generator table functions."""
    row = con.execute("SELECT json_serialize_sql(?)", [statement]).fetchall()[0]
    tree = json.loads(row[0])
    if tree.get("error"):
        raise SqlRefused(
            f"Refused: the query could not be checked ({tree.get('error_message')}); "
            "use a plain SELECT."
        )
    ctes = {name.lower() for name in _cte_names(tree)}
    existing = {
        name.lower()
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()"
        ).fetchall()
    }
    views = set(chat_views())
    if clash := sorted(ctes & (existing - views)):
        raise SqlRefused(f"Refused: a CTE may not reuse the name of a table ({clash[0]}).")
    for node in _nodes(tree):
        kind = node.get("type")
        if kind == "BASE_TABLE":
            name = str(node.get("table_name", "")).lower()
            catalog, schema = node.get("catalog_name", ""), node.get("schema_name", "")
            if name in ctes and not catalog and not schema:
                continue
            if name not in views or catalog not in ("", "temp") or schema not in ("", "main"):
                raise SqlRefused(
                    f"Refused: only the chat views can be queried, not {name!r}. "
                    f"Available: {', '.join(sorted(views))}."
                )
        elif kind == "TABLE_FUNCTION":
            function = str((node.get("function") or {}).get("function_name", "")).lower()
            if function not in ALLOWED_TABLE_FUNCTIONS:
                what = "reading files" if _reads_files(function) else f"table function {function}()"
                raise SqlRefused(
                    f"Refused: {what} is not allowed; query the chat views "
                    f"({', '.join(sorted(views))})."
                )
        elif kind == "SHOW_REF" and node.get("query") is None:
            raise SqlRefused(
                "Refused: SHOW lists database internals; the chat views are described in the "
                "instructions (DESCRIBE chat_media_files works)."
            )


def _reads_files(function: str) -> bool:
    return function.startswith(("read_", "parquet_", "sniff_")) or function in {
        "glob",
        "csv_scan",
        "json_scan",
    }


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    """Every object in the parse tree, however deeply nested (subqueries, joins, CTEs...)."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _cte_names(tree: Any) -> Iterator[str]:
    for node in _nodes(tree):
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            for entry in cte_map.get("map", []):
                yield str(entry.get("key", ""))


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
