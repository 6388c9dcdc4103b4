"""The child-process side of the chat's SQL sandbox (mediavault_assets.chat.safe_sql).

It runs in a fresh interpreter under an address-space limit (mediavault_assets.limited), so it
imports only DuckDB and the SQL files: a fresh import of the chat package (OpenAI, Dagster) on
every query would cost seconds. The connection:

- is a separate in-memory DuckDB connection that ATTACHes the snapshot READ_ONLY, creates the
  curated `chat_*` views (sql/chat/view_*.sql) as temp views, then turns external access off
  (no files, no network, no extension loading) and locks its configuration. It never opens the
  snapshot by path: DuckDB refuses a second `connect()` to one file with a different config;
- only reads, as relations, the `chat_*` views, CTEs and the seeds' own tables by their seed
  names (sql/chat/seed_tables.txt, but the private ones) that the snapshot holds, and no table
  functions besides generators (checked on DuckDB's own parse tree, `json_serialize_sql`), so
  file readers, `query()` and the internal tables (caches, journals, inventory) stay out of reach
  even where the engine would allow them;
- interrupts a query running too long (the parent also kills the whole process a little later).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from mediavault_assets.sql_files import SQL_DIR

CHAT_SQL_DIR = SQL_DIR / "chat"
# Generators only: every other table function reads files, other databases or the catalog.
ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
SANDBOX_CONFIG = {
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "threads": 2,
    "memory_limit": "512MB",
}


class SqlError(Exception):
    """A query that did not produce rows; `str()` is a message for the person and the model."""


class SqlRefused(SqlError):
    """The query breaks a sandbox rule and was not run."""


class SqlTimeout(SqlError):
    """The query ran longer than the time limit and was interrupted."""


class SqlFailed(SqlError):
    """DuckDB rejected the query (a typo, an unknown column...)."""


@cache
def chat_sql(name: str) -> str:
    """The text of sql/chat/<name>.sql."""
    return (CHAT_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def seed_tables() -> dict[str, str]:
    """Seed table name → the seed defining it ('003'), from sql/chat/seed_tables.txt, without the
    private ones (credentials, the app's own store)."""
    tables = {}
    for line in (CHAT_SQL_DIR / "seed_tables.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split(maxsplit=2)
        if len(fields) == 2 and not line.startswith("#"):
            tables[fields[0]] = fields[1]
    return tables


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


def execute(
    snapshot: Path,
    statement: str,
    params: Mapping[str, Any] | None,
    row_cap: int,
    timeout_s: float,
) -> tuple[list[str], list[tuple[Any, ...]], float]:
    """(columns, at most row_cap + 1 rows, seconds) of one checked SELECT, or a SqlError."""
    with sandbox(snapshot) as con:
        _check_relations(con, statement)
        started = time.monotonic()
        # interrupt() is the one call DuckDB takes from another thread mid-query.
        timer = threading.Timer(timeout_s, con.interrupt)
        timer.start()
        try:
            con.execute(statement, dict(params) if params else None)
            columns = [column[0] for column in con.description or []]
            rows = con.fetchmany(row_cap + 1)
        except duckdb.InterruptException:
            raise SqlTimeout(timeout_message(timeout_s)) from None
        except duckdb.OutOfMemoryException:
            raise SqlFailed(MEMORY_MESSAGE) from None
        except duckdb.Error as error:
            raise SqlFailed(f"The query failed: {first_line(error)}") from None
        finally:
            timer.cancel()
    return columns, rows, time.monotonic() - started


def schema(snapshot: Path) -> list[tuple[str, str, str]]:
    """(relation, column, type) of every chat view, then of every queryable seed table."""
    with sandbox(snapshot) as con:
        return con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = 'temp' OR (table_catalog = 'warehouse' "
            "AND table_schema = 'main' AND table_name IN (SELECT unnest($tables::VARCHAR[]))) "
            "ORDER BY table_catalog = 'warehouse', table_name, ordinal_position",
            {"tables": sorted(queryable_seed_tables(con))},
        ).fetchall()


def queryable_seed_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The seed tables this snapshot holds (as tables or views): what a newer warehouse adds
    (issue 17's user_reviews, issue 18's review_queue) becomes queryable without a code change."""
    held = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'warehouse' "
        "AND schema_name = 'main' UNION SELECT view_name FROM duckdb_views() "
        "WHERE database_name = 'warehouse' AND schema_name = 'main'"
    ).fetchall()
    return {name.lower() for (name,) in held} & set(seed_tables())


MEMORY_MESSAGE = (
    "The query needed more memory than the chat may use. Aggregate, filter or select fewer columns."
)


def timeout_message(timeout_s: float) -> str:
    return f"Stopped: the query ran longer than {timeout_s:g} s. Narrow it down or aggregate."


@contextmanager
def sandbox(snapshot: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:", config=SANDBOX_CONFIG)
    try:
        path = str(snapshot).replace("'", "''")
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
    """Refuse relations other than the chat views, the seed tables and CTEs, and non-generator
    table functions."""
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
    tables = queryable_seed_tables(con)
    available = ", ".join([*sorted(views), *sorted(tables)])
    if clash := sorted(ctes & (existing - views)):
        raise SqlRefused(f"Refused: a CTE may not reuse the name of a table ({clash[0]}).")
    for node in _nodes(tree):
        kind = node.get("type")
        if kind == "BASE_TABLE":
            name = str(node.get("table_name", "")).lower()
            catalog, schema = node.get("catalog_name", ""), node.get("schema_name", "")
            if name in ctes and not catalog and not schema:
                continue
            if schema not in ("", "main") or not (
                (name in views and catalog in ("", "temp"))
                or (name in tables and catalog in ("", "warehouse"))
            ):
                raise SqlRefused(
                    "Refused: only the library's seed tables and the chat views can be queried, "
                    f"not {name!r}. Available: {available}."
                )
        elif kind == "TABLE_FUNCTION":
            function = str((node.get("function") or {}).get("function_name", "")).lower()
            if function not in ALLOWED_TABLE_FUNCTIONS:
                what = "reading files" if _reads_files(function) else f"table function {function}()"
                raise SqlRefused(f"Refused: {what} is not allowed; query the tables ({available}).")
        elif kind == "SHOW_REF" and node.get("query") is None:
            raise SqlRefused(
                "Refused: SHOW lists database internals; the tables are described in the "
                "query_library tool (DESCRIBE media_files works)."
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


def first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
