"""Access to the project's SQL files (DDL migrations, views, named queries and the
review side's SQLite schema under sql/)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
_MIGRATION = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@cache
def query(name: str) -> str:
    """The text of sql/queries/<name>.sql."""
    return (SQL_DIR / "queries" / f"{name}.sql").read_text(encoding="utf-8")


@cache
def app_store_schema(name: str) -> str:
    """The DDL of sql/app_store/<name>.sql: the review side's own SQLite tables."""
    return (SQL_DIR / "app_store" / f"{name}.sql").read_text(encoding="utf-8")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every sql/migrations/NNN_name.sql, in order."""
    found = []
    for path in sorted((SQL_DIR / "migrations").glob("*.sql")):
        match = _MIGRATION.match(path.name)
        if not match:
            raise ValueError(f"migration file {path.name} is not named NNN_name.sql")
        found.append((int(match.group(1)), match.group(2), path.read_text(encoding="utf-8")))
    return found


def views() -> list[tuple[str, str]]:
    """(name, sql) for sql/views/*.sql; derived, so re-created on every migrate."""
    return _folder("views")


def snapshot_tables() -> list[tuple[str, str]]:
    """(name, sql) for sql/snapshot/*.sql: tables built into each published snapshot only."""
    return _folder("snapshot")


def _folder(name: str) -> list[tuple[str, str]]:
    return [
        (path.stem, path.read_text(encoding="utf-8"))
        for path in sorted((SQL_DIR / name).glob("*.sql"))
    ]
