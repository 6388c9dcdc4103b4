"""The review side's own SQLite files (decisions, chat history): WAL, durable commits, short
connections, and write transactions that take the lock up front."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_BEGIN_ATTEMPTS = 5


@contextmanager
def connect(path: Path, busy_timeout_s: float) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")  # what was said "saved" survives power loss
        con.execute("PRAGMA foreign_keys=ON")
        con.row_factory = sqlite3.Row
        yield con
    finally:
        con.close()


@contextmanager
def write(path: Path, busy_timeout_s: float) -> Iterator[sqlite3.Connection]:
    """One transaction, committed on success and rolled back on any error."""
    with connect(path, busy_timeout_s) as con:
        # IMMEDIATE takes the write lock up front, so the busy timeout covers the wait.
        for attempt in range(_BEGIN_ATTEMPTS):
            try:
                con.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError:
                if attempt == _BEGIN_ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def stamp(path: Path) -> list[list[int] | None]:
    """Size and mtime of the file and of its WAL: any committed write changes one of them."""
    return [_file_stamp(path), _file_stamp(path.with_name(path.name + "-wal"))]


def _file_stamp(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return [stat.st_size, stat.st_mtime_ns]
