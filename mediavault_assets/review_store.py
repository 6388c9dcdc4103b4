"""The review side's own store: decisions on plan rows and groups, groups made by hand, manual
TMDb matches and answers to review queue items.

The Streamlit app and the CLI write it; Dagster only reads it. It is a SQLite file in WAL mode,
separate from the DuckDB warehouse, so a decision can be saved while a Dagster run writes the
warehouse (and the other way round) and no lock error ever reaches a person.

A decision records the file's size, mtime and inode as they were when it was made; if the file
changes afterwards the decision no longer applies and staging skips it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from mediavault_assets import sql_files, sqlite_wal
from mediavault_assets.domain.grouping import ManualGroup, manual_group_id
from mediavault_assets.domain.review_queue import (
    RESOLUTIONS,
    Resolution,
    Status,
    file_signature,
    item_key,
)

Decision = Literal["stage", "keep"]
GroupAction = Literal["keep_one", "keep_all", "not_duplicate"]
Confidence = Literal["certain", "uncertain", "needs_review"]  # seed 002's user_decisions
# Who decided, as seed 002's integer id: user_store's users.id of the reviewer's name.
_USER_ID = "(SELECT id FROM users WHERE username = ?)"


class ManualGroupRefused(ValueError):
    """Files that cannot be grouped by hand (too few, or one is in a manual group already)."""


@dataclass(frozen=True, slots=True)
class FileSignature:
    """What a file was when a decision was made on it."""

    file_id: int
    group_id: int | None
    plan_id: int | None
    size: int
    mtime_ns: int
    inode: int


@dataclass(frozen=True, slots=True)
class FileDecision:
    file_id: int
    group_id: int | None
    plan_id: int | None
    decision: Decision
    reviewer: str
    notes: str | None
    decided_at: str
    size: int
    mtime_ns: int
    inode: int


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


class ReviewStore:
    """Decisions made by people (CLI or app); safe to use from several processes at once."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            # users first: decisions name their user's id (see _USER_ID).
            con.executescript(sql_files.app_store_schema("user_store"))
            columns = {r["name"] for r in con.execute("PRAGMA table_info(user_decisions)")}
            if columns and "file_id" not in columns:
                con.executescript(
                    "BEGIN IMMEDIATE;"
                    "ALTER TABLE user_decisions RENAME TO user_decisions_before_rows;"
                    + sql_files.app_store_schema("review_store")
                    + sql_files.app_store_schema("review_store_row_decisions")
                    + "COMMIT;"
                )
            con.executescript(sql_files.app_store_schema("review_store"))

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.connect(self.path, self.busy_timeout_s)

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_wal.write(self.path, self.busy_timeout_s)

    def _set(
        self,
        con: sqlite3.Connection,
        files: Iterable[FileSignature],
        decision: Decision,
        reviewer: str,
        notes: str | None,
        now: str,
        confidence: Confidence | None = None,
    ) -> None:
        """Record each file's decision; with `confidence` (a per-row approve or reject) also one
        user_decisions row per file (a group decision writes its own)."""
        files = list(files)
        con.executemany(
            "INSERT INTO file_decisions (file_id, group_id, plan_id, decision, reviewer, notes, "
            "decided_at, file_size, mtime_ns, inode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (file_id) DO UPDATE SET group_id = excluded.group_id, "
            "plan_id = excluded.plan_id, decision = excluded.decision, "
            "reviewer = excluded.reviewer, notes = excluded.notes, "
            "decided_at = excluded.decided_at, file_size = excluded.file_size, "
            "mtime_ns = excluded.mtime_ns, inode = excluded.inode",
            [
                (
                    f.file_id,
                    f.group_id,
                    f.plan_id,
                    decision,
                    reviewer,
                    notes,
                    now,
                    f.size,
                    f.mtime_ns,
                    f.inode,
                )
                for f in files
            ],
        )
        if confidence is None:
            return
        staged = decision == "stage"
        con.executemany(
            "INSERT INTO user_decisions (duplicate_group_id, file_id, plan_id, user_id, reviewer, "
            f"action_taken, files_archived, notes, confidence, decided_at) VALUES (?, ?, ?, "
            f"{_USER_ID}, ?, ?, ?, ?, ?, ?)",
            [
                (
                    f.group_id,
                    f.file_id,
                    f.plan_id,
                    reviewer,
                    reviewer,
                    "archive_file" if staged else "keep_file",
                    json.dumps([f.file_id] if staged else []),
                    notes,
                    confidence,
                    now,
                )
                for f in files
            ],
        )

    def approve(
        self,
        files: Iterable[FileSignature],
        *,
        reviewer: str,
        notes: str | None = None,
        confidence: Confidence = "certain",
    ) -> int:
        """Approve staging these plan rows' files."""
        files = list(files)
        with self._write() as con:
            self._set(con, files, "stage", reviewer, notes, _now(), confidence)
        return len(files)

    def reject(
        self,
        files: Iterable[FileSignature],
        *,
        reviewer: str,
        notes: str | None = None,
        confidence: Confidence = "certain",
    ) -> int:
        """Keep these files: the plan's proposal is rejected."""
        files = list(files)
        with self._write() as con:
            self._set(con, files, "keep", reviewer, notes, _now(), confidence)
        return len(files)

    def decide_group(
        self,
        group_id: int,
        members: list[FileSignature],
        action: GroupAction,
        *,
        reviewer: str,
        keep_file_id: int | None = None,
        notes: str | None = None,
        same_file_ids: Iterable[int] = (),
        confidence: Confidence = "certain",
    ) -> None:
        """Decide a whole group: keep one file (stage the rest), keep all, or not duplicates.

        `same_file_ids` are other paths of the kept file (a hardlink, a second mount): kept too.
        """
        ids = {m.file_id for m in members}
        if action == "keep_one" and keep_file_id not in ids:
            raise ValueError(f"file {keep_file_id} is not a member of group {group_id}")
        now = _now()
        kept = {keep_file_id, *same_file_ids}
        stage = [m for m in members if action == "keep_one" and m.file_id not in kept]
        keep = [m for m in members if m not in stage]
        with self._write() as con:
            self._set(con, keep, "keep", reviewer, notes, now)
            self._set(con, stage, "stage", reviewer, notes, now)
            if action == "not_duplicate":
                con.execute(
                    "INSERT OR REPLACE INTO not_duplicate_groups VALUES (?, ?, ?)",
                    (group_id, reviewer, now),
                )
            con.execute(
                "INSERT INTO user_decisions (duplicate_group_id, user_id, reviewer, action_taken, "
                "files_archived, primary_file_id, notes, confidence, decided_at) "
                f"VALUES (?, {_USER_ID}, ?, ?, ?, ?, ?, ?, ?)",
                (
                    group_id,
                    reviewer,
                    reviewer,
                    {
                        "keep_one": "archive_file",
                        "keep_all": "keep_all",
                        "not_duplicate": "mark_not_duplicate",
                    }[action],
                    json.dumps(sorted(m.file_id for m in stage)),
                    keep_file_id,
                    notes,
                    confidence,
                    now,
                ),
            )

    def decisions(self) -> dict[int, FileDecision]:
        with self._connect() as con:
            rows = con.execute("SELECT * FROM file_decisions").fetchall()
        return {
            r["file_id"]: FileDecision(
                r["file_id"],
                r["group_id"],
                r["plan_id"],
                r["decision"],
                r["reviewer"],
                r["notes"],
                r["decided_at"],
                r["file_size"],
                r["mtime_ns"],
                r["inode"],
            )
            for r in rows
        }

    def approved(self) -> list[FileDecision]:
        return [d for d in self.decisions().values() if d.decision == "stage"]

    def not_duplicate_groups(self) -> set[int]:
        with self._connect() as con:
            return {r[0] for r in con.execute("SELECT group_id FROM not_duplicate_groups")}

    def group_files(
        self, file_ids: Iterable[int], *, reviewer: str, notes: str | None = None
    ) -> int:
        """Group these files as duplicates (a manual group); returns its duplicate group id.

        Refused when fewer than two files are named or one is in a manual group already: a
        file belongs to one manual group, so a person ungroups before regrouping.
        """
        ids = sorted(set(file_ids))
        if len(ids) < 2:
            raise ManualGroupRefused("a manual group needs at least two files")
        group_id = manual_group_id(ids)
        now = _now()
        with self._write() as con:
            taken = con.execute(
                f"SELECT file_id, group_id FROM manual_group_files "
                f"WHERE file_id IN ({', '.join('?' * len(ids))}) ORDER BY file_id",
                ids,
            ).fetchall()
            if taken:
                raise ManualGroupRefused(
                    "; ".join(
                        f"file {r['file_id']} is already in manual group {r['group_id']}"
                        for r in taken
                    )
                    + ": ungroup it first (`mediavault ungroup GROUP_ID`)"
                )
            con.execute(
                "INSERT INTO manual_groups (group_id, user_id, reviewer, notes, created_at) "
                f"VALUES (?, {_USER_ID}, ?, ?, ?)",
                (group_id, reviewer, reviewer, notes, now),
            )
            con.executemany(
                "INSERT INTO manual_group_files (file_id, group_id) VALUES (?, ?)",
                [(i, group_id) for i in ids],
            )
            self._record_grouping(con, group_id, "group_manual", reviewer, notes, now)
        return group_id

    def ungroup(self, group_id: int, *, reviewer: str) -> bool:
        """Dissolve a manual group (False when there is none with this id)."""
        now = _now()
        with self._write() as con:
            gone = con.execute("DELETE FROM manual_groups WHERE group_id = ?", (group_id,))
            if gone.rowcount:
                self._record_grouping(con, group_id, "ungroup_manual", reviewer, None, now)
        return bool(gone.rowcount)

    @staticmethod
    def _record_grouping(
        con: sqlite3.Connection,
        group_id: int,
        action: str,
        reviewer: str,
        notes: str | None,
        now: str,
    ) -> None:
        con.execute(
            "INSERT INTO user_decisions (duplicate_group_id, user_id, reviewer, action_taken, "
            f"notes, decided_at) VALUES (?, {_USER_ID}, ?, ?, ?, ?)",
            (group_id, reviewer, reviewer, action, notes, now),
        )

    def manual_groups(self) -> list[ManualGroup]:
        with self._connect() as con:
            rows = con.execute("SELECT group_id, file_id FROM manual_group_files").fetchall()
        files: dict[int, set[int]] = {}
        for group_id, file_id in rows:
            files.setdefault(group_id, set()).add(file_id)
        return [ManualGroup(group_id, frozenset(ids)) for group_id, ids in sorted(files.items())]

    def set_tmdb_match(self, identity_key: str, tmdb_id: int, *, reviewer: str) -> None:
        """The TMDb title (of the identity's media type) a person says this identity is."""
        if tmdb_id <= 0:
            raise ValueError(f"not a TMDb id: {tmdb_id}")
        with self._write() as con:
            con.execute(
                "INSERT INTO manual_tmdb_matches (identity_key, tmdb_id, reviewer, decided_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (identity_key) DO UPDATE SET "
                "tmdb_id = excluded.tmdb_id, reviewer = excluded.reviewer, "
                "decided_at = excluded.decided_at",
                (identity_key, tmdb_id, reviewer, _now()),
            )

    def clear_tmdb_match(self, identity_key: str) -> None:
        with self._write() as con:
            con.execute("DELETE FROM manual_tmdb_matches WHERE identity_key = ?", (identity_key,))

    def manual_tmdb_matches(self) -> dict[str, int]:
        """identity_key → TMDb id, for every identity a person matched by hand."""
        with self._connect() as con:
            rows = con.execute("SELECT identity_key, tmdb_id FROM manual_tmdb_matches")
            return {key: tmdb_id for key, tmdb_id in rows}

    def user_decisions(self) -> list[dict[str, object]]:
        with self._connect() as con:
            rows = con.execute("SELECT * FROM user_decisions ORDER BY id").fetchall()
        return [
            {
                **dict(r),
                "files_archived": json.loads(r["files_archived"]),
                "files_deleted": json.loads(r["files_deleted"]),
            }
            for r in rows
        ]

    def resolve_queue_item(
        self,
        item_key: str,
        file_signature: str,
        status: Status,
        *,
        reviewer: str,
        notes: str | None = None,
    ) -> Resolution:
        """Resolve (or reject) a review queue item as its file(s) are now."""
        if status not in RESOLUTIONS:
            raise ValueError(f"a queue item is resolved or rejected, not {status!r}")
        resolution = Resolution(item_key, file_signature, status, reviewer, _now())
        with self._write() as con:
            con.execute(
                "INSERT INTO review_queue_resolutions (item_key, file_signature, status, "
                "reviewer, notes, resolved_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (item_key) DO UPDATE SET file_signature = excluded.file_signature, "
                "status = excluded.status, reviewer = excluded.reviewer, notes = excluded.notes, "
                "resolved_at = excluded.resolved_at",
                (item_key, file_signature, status, reviewer, notes, resolution.resolved_at),
            )
        return resolution

    def queue_resolutions(self) -> dict[str, Resolution]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT item_key, file_signature, status, reviewer, resolved_at "
                "FROM review_queue_resolutions"
            ).fetchall()
        return {r[0]: Resolution(*r) for r in rows}

    def plan_resolutions(self) -> dict[str, Resolution]:
        """Plan rows' approve (resolved) and reject (rejected) decisions, as queue answers."""
        return {
            item_key("plan_review", str(d.file_id)): Resolution(
                item_key("plan_review", str(d.file_id)),
                file_signature(d.size, d.mtime_ns, d.inode),
                "resolved" if d.decision == "stage" else "rejected",
                d.reviewer,
                d.decided_at,
            )
            for d in self.decisions().values()
        }

    def keep_restored(self, files: Iterable[FileSignature], *, reviewer: str) -> int:
        """A restore is a person's decision to keep the file: recorded as theirs."""
        return self.reject(files, reviewer=reviewer, notes="restored from staging")
