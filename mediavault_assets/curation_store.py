"""The review side's store of seed 001's user curation: ratings and a person's keywords.

It lives in the review store's SQLite file (WAL), so a rating is saved while a Dagster run
writes the warehouse; each refresh mirrors it into the warehouse (media_files.score,
media_keywords) and follows renamed files (domain.curation.followed_moves). Nothing here is
ever dropped by a scan: a file that left the library keeps its rating until it comes back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from mediavault_assets import sql_files, sqlite_wal
from mediavault_assets.domain.curation import (
    CuratedFile,
    CurationError,
    checked_score,
    normalized_keyword,
)

USER_KEYWORD_TYPES = ("user", "prompt", "workflow")  # 'auto' ones come from the scan


@dataclass(frozen=True, slots=True)
class UserKeyword:
    file_id: int
    keyword: str
    keyword_type: str
    confidence: float
    source: str | None
    added_by: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Rating:
    file_id: int
    score: int
    rated_by: str
    rated_at: str


def curated_file_from_row(row: Mapping[str, Any]) -> CuratedFile:
    """A CuratedFile from a row with the inventory's column names (curated_files has them too)."""
    return CuratedFile(
        row["file_id"],
        row["root_key"],
        row["relative_path"],
        row["inode"],
        row["file_size"],
        row["mtime_ns"],
    )


_FRAME_SCHEMAS: dict[str, dict[str, Any]] = {
    "ratings": {
        "file_id": pl.Int64,
        "score": pl.Int32,
        "rated_by": pl.String,
        "rated_at": pl.String,
    },
    "keywords": {
        "file_id": pl.Int64,
        "keyword": pl.String,
        "keyword_type": pl.String,
        "confidence": pl.Float64,
        "source": pl.String,
        "added_by": pl.String,
        "created_at": pl.String,
    },
    "curated": {"file_id": pl.Int64, "last_accessed": pl.String},
}


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


class CurationStore:
    """Ratings and user keywords by file id; safe to use from several processes at once."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(sql_files.app_store_schema("curation_store"))

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.connect(self.path, self.busy_timeout_s)

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.write(self.path, self.busy_timeout_s)

    @staticmethod
    def _remember(con: sqlite3.Connection, file: CuratedFile, now: str) -> None:
        con.execute(
            "INSERT INTO curated_files (file_id, root_key, relative_path, inode, file_size, "
            "mtime_ns, last_accessed, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (file_id) DO UPDATE SET root_key = excluded.root_key, "
            "relative_path = excluded.relative_path, inode = excluded.inode, "
            "file_size = excluded.file_size, mtime_ns = excluded.mtime_ns, "
            "last_accessed = excluded.last_accessed, updated_at = excluded.updated_at",
            (
                file.file_id,
                file.root_key,
                file.relative_path,
                file.inode,
                file.size,
                file.mtime_ns,
                now,
                now,
            ),
        )

    def rate(self, file: CuratedFile, score: int | str, *, by: str) -> int:
        """Set the file's rating (-1 rejected, 1-5 stars); 0 clears it. Returns the rating."""
        value = checked_score(score)
        now = _now()
        with self._write() as con:
            self._remember(con, file, now)
            if value:
                con.execute(
                    "INSERT INTO file_ratings (file_id, score, rated_by, rated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (file_id) DO UPDATE SET "
                    "score = excluded.score, rated_by = excluded.rated_by, "
                    "rated_at = excluded.rated_at",
                    (file.file_id, value, by, now),
                )
            else:
                con.execute("DELETE FROM file_ratings WHERE file_id = ?", (file.file_id,))
        return value

    def tag(
        self,
        file: CuratedFile,
        words: Iterable[str],
        *,
        by: str,
        keyword_type: str = "user",
    ) -> list[str]:
        """Add keywords to the file (already there: kept as they are). Returns them normalized."""
        if keyword_type not in USER_KEYWORD_TYPES:
            raise CurationError(
                f"keyword type {keyword_type!r} is not one a person sets "
                f"({', '.join(USER_KEYWORD_TYPES)})"
            )
        keywords = list(dict.fromkeys(normalized_keyword(w) for w in words))
        if not keywords:
            raise CurationError("give at least one keyword")
        now = _now()
        with self._write() as con:
            self._remember(con, file, now)
            con.executemany(
                "INSERT INTO user_keywords (file_id, keyword, keyword_type, confidence, source, "
                "added_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (file_id, keyword, keyword_type) DO NOTHING",
                [(file.file_id, k, keyword_type, 1.0, None, by, now) for k in keywords],
            )
        return keywords

    def untag(self, file_id: int, words: Iterable[str], *, keyword_type: str = "user") -> int:
        """Remove keywords from the file; returns how many were there."""
        keywords = [normalized_keyword(w) for w in words]
        with self._write() as con:
            removed = con.executemany(
                "DELETE FROM user_keywords WHERE file_id = ? AND keyword = ? AND keyword_type = ?",
                [(file_id, k, keyword_type) for k in keywords],
            ).rowcount
        return removed

    def ratings(self) -> dict[int, Rating]:
        with self._connect() as con:
            rows = con.execute("SELECT * FROM file_ratings").fetchall()
        return {r["file_id"]: Rating(**dict(r)) for r in rows}

    def scores(self) -> dict[int, int]:
        with self._connect() as con:
            return dict(con.execute("SELECT file_id, score FROM file_ratings").fetchall())

    def keywords(self, file_ids: Iterable[int] | None = None) -> list[UserKeyword]:
        with self._connect() as con:
            rows = con.execute("SELECT * FROM user_keywords ORDER BY file_id, keyword").fetchall()
        wanted = None if file_ids is None else set(file_ids)
        return [UserKeyword(**dict(r)) for r in rows if wanted is None or r["file_id"] in wanted]

    def curated_files(self) -> dict[int, tuple[CuratedFile, str | None]]:
        """file id → (where the file was last seen by a person, when they last looked)."""
        with self._connect() as con:
            rows = con.execute("SELECT * FROM curated_files").fetchall()
        return {r["file_id"]: (curated_file_from_row(r), r["last_accessed"]) for r in rows}

    def frames(self) -> dict[str, pl.DataFrame]:
        """Ratings, keywords and curated files' last looks as frames SQL can join."""
        curated = self.curated_files()
        return {
            "ratings": pl.DataFrame(
                [asdict(r) for r in self.ratings().values()], schema=_FRAME_SCHEMAS["ratings"]
            ),
            "keywords": pl.DataFrame(
                [asdict(k) for k in self.keywords()], schema=_FRAME_SCHEMAS["keywords"]
            ),
            "curated": pl.DataFrame(
                [{"file_id": i, "last_accessed": seen} for i, (_, seen) in curated.items()],
                schema=_FRAME_SCHEMAS["curated"],
            ),
        }

    def follow(self, moves: Mapping[int, CuratedFile]) -> int:
        """Re-key renamed files: old id → the file now at the new path (ratings and keywords
        follow through ON UPDATE CASCADE). Returns how many files moved."""
        if not moves:
            return 0
        now = _now()
        with self._write() as con:
            for old_id, new in moves.items():
                con.execute(
                    "UPDATE curated_files SET file_id = ?, root_key = ?, relative_path = ?, "
                    "inode = ?, file_size = ?, mtime_ns = ?, updated_at = ? WHERE file_id = ? "
                    "AND NOT EXISTS (SELECT 1 FROM curated_files WHERE file_id = ?)",
                    (
                        new.file_id,
                        new.root_key,
                        new.relative_path,
                        new.inode,
                        new.size,
                        new.mtime_ns,
                        now,
                        old_id,
                        new.file_id,
                    ),
                )
        return len(moves)

    def export_rows(self) -> Iterator[dict[str, object]]:
        """One row per rated or tagged file: where it was, its rating and its keywords."""
        scores = self.scores()
        keywords: dict[int, list[UserKeyword]] = {}
        for k in self.keywords():
            keywords.setdefault(k.file_id, []).append(k)
        for file, _ in sorted(
            self.curated_files().values(), key=lambda f: (f[0].root_key, f[0].relative_path)
        ):
            words = keywords.get(file.file_id, [])
            if file.file_id not in scores and not words:
                continue
            yield {
                "root_key": file.root_key,
                "relative_path": file.relative_path,
                "score": scores.get(file.file_id, 0),
                "keywords": [k.keyword for k in words if k.keyword_type == "user"],
                "prompt_keywords": [k.keyword for k in words if k.keyword_type == "prompt"],
                "workflow_keywords": [k.keyword for k in words if k.keyword_type == "workflow"],
            }
