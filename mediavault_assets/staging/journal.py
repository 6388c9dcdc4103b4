"""The staging journal: seed 002's ``archive_operations``, written before and after every file step.

Each state change is its own short transaction on its own connection (DuckDB admits one writer
process, and a SIGKILL must never find a half-written journal), so at any instant the row of an
operation says how far it got and recovery can finish or undo it. Columns beyond the seed's come
from ``sql/migrations/005_staging.sql``; the statements are ``sql/queries/staging_*.sql``.

An operation moves (archive, restore) or deletes (delete) one video and its sidecars: its
``members``, the video first. The video's facts fill the seed's columns (``source_path``,
``destination_path``) and ours (``file_size``, ``source_mtime_ns``, ``source_inode``,
``md5_hash``); the sidecars are the ``sidecars`` JSON list.

Only one staging run may work at a time (recovery assumes nobody else is halfway through an
operation): ``exclusive()`` holds an advisory lock beside the warehouse file. The kernel drops it
when the holder dies, so a killed run never blocks the next one.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from mediavault_assets import sql_files

if TYPE_CHECKING:
    from mediavault_assets.warehouse import Warehouse

OperationType = Literal["archive", "restore", "delete"]
Status = Literal["pending", "in_progress", "completed", "failed"]
# Where inside its status an operation is:
#   planned (pending): journaled, nothing touched yet
#   moving (in_progress): files are being renamed or copied; every source is still in place,
#       except members already renamed
#   transferred (in_progress): every member is at its destination, copies verified by MD5;
#       copied sources are being removed
#   deleting (in_progress): a purge is deleting the staged files
#   done (completed)
#   skipped (failed): a precondition failed (file changed, destination taken...); nothing touched
#   rolled_back (failed): the attempt was undone; every file is where it was before
#   needs_attention (failed): it could be neither finished nor undone; error_message says where
#       each file is
Phase = Literal[
    "planned",
    "moving",
    "transferred",
    "deleting",
    "done",
    "skipped",
    "rolled_back",
    "needs_attention",
]
Method = Literal["rename", "copy"]


class StagingBusyError(RuntimeError):
    """Another staging, restore or purge run holds the staging lock."""


@dataclass(frozen=True, slots=True)
class Member:
    """One file of an operation, with the identity it must still have when it is moved."""

    source: str
    destination: str | None  # None for a purge
    size: int
    mtime_ns: int
    inode: int
    md5: str | None = None


@dataclass(frozen=True, slots=True)
class Operation:
    """One row of archive_operations as the engine uses it."""

    operation_type: OperationType
    file_id: int
    members: tuple[Member, ...]  # the video first, then its sidecars
    status: Status = "pending"
    phase: Phase = "planned"
    method: Method | None = None
    plan_id: int | None = None
    duplicate_group_id: int | None = None
    root_key: str | None = None
    media_type: str | None = None
    relative_path: str | None = None
    staging_root: str | None = None
    manifest_path: str | None = None
    reason: str | None = None
    parent_operation_id: int | None = None
    error_message: str | None = None
    # Seed 002's user tracking (user_store's users.id): who approved a staging or purge, who
    # asked for a restore; None for automatic decisions.
    triggered_by: int | None = None
    id: int = 0
    created_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    is_reversed: bool = False
    deleted_permanently_at: datetime | None = None

    @property
    def video(self) -> Member:
        return self.members[0]


def utc_now() -> datetime:
    """Naive UTC, like every other timestamp in the warehouse."""
    return datetime.now(UTC).replace(tzinfo=None)


class StagingJournal:
    """archive_operations over the Warehouse resource: one short transaction per state change."""

    def __init__(self, warehouse: Warehouse, clock: Callable[[], datetime] = utc_now) -> None:
        self.warehouse = warehouse
        self.clock = clock

    @property
    def lock_path(self) -> Path:
        path = Path(self.warehouse.path)
        return path.with_name(path.name + ".staging.lock")

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the staging lock for a run, or raise StagingBusyError at once."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise StagingBusyError(
                    f"another staging run holds {self.lock_path}; try again when it ends"
                ) from error
            yield
        finally:
            os.close(fd)  # closing drops the lock

    def insert(self, op: Operation) -> Operation:
        now = self.clock()
        video = op.video
        params = {
            "file_id": op.file_id,
            "duplicate_group_id": op.duplicate_group_id,
            "operation_type": op.operation_type,
            "source_path": video.source,
            "destination_path": video.destination,
            "status": op.status,
            "error_message": op.error_message,
            "now": now,
            "plan_id": op.plan_id,
            "parent_operation_id": op.parent_operation_id,
            "root_key": op.root_key,
            "media_type": op.media_type,
            "relative_path": op.relative_path,
            "staging_root": op.staging_root,
            "method": op.method,
            "phase": op.phase,
            "file_size": video.size,
            "source_mtime_ns": video.mtime_ns,
            "source_inode": video.inode,
            "md5_hash": video.md5,
            "manifest_path": op.manifest_path,
            "sidecars": _sidecars_json(op.members),
            "triggered_by": op.triggered_by,
            "reason": op.reason,
        }
        with self.warehouse.connect() as con:
            row = con.execute(sql_files.query("staging_insert_operation"), params).fetchone()
        assert row is not None
        op_id, created_at, started_at, completed_at = row
        return replace(
            op, id=op_id, created_at=created_at, started_at=started_at, completed_at=completed_at
        )

    def update(
        self,
        op: Operation,
        *,
        status: Status,
        phase: Phase,
        error: str | None = None,
        method: Method | None = None,
        members: tuple[Member, ...] | None = None,
    ) -> Operation:
        """Record the operation's next state (and, once known, its method and members' MD5s)."""
        params = {
            "id": op.id,
            "status": status,
            "phase": phase,
            "error_message": error,
            "method": method,
            "md5_hash": members[0].md5 if members else None,
            "sidecars": _sidecars_json(members) if members else None,
            "now": self.clock(),
        }
        with self.warehouse.connect() as con:
            row = con.execute(sql_files.query("staging_update_operation"), params).fetchone()
        assert row is not None
        return replace(
            op,
            status=status,
            phase=phase,
            error_message=error or op.error_message,
            method=method or op.method,
            members=members or op.members,
            started_at=row[0],
            completed_at=row[1],
        )

    def finish_restore(self, restore: Operation, *, error: str | None = None) -> Operation:
        """Complete a restore and mark its archive operation reversed, in one transaction."""
        return self._finish_with(restore, "staging_mark_reversed", self.clock(), error)

    def finish_purge(self, delete: Operation, deleted_at: datetime) -> Operation:
        """Complete a purge and record deleted_permanently_at on its archive operation."""
        return self._finish_with(delete, "staging_mark_purged", deleted_at, None)

    def _finish_with(self, op: Operation, query: str, at: datetime, error: str | None) -> Operation:
        now = self.clock()
        with self.warehouse.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    sql_files.query("staging_update_operation"),
                    {
                        "id": op.id,
                        "status": "completed",
                        "phase": "done",
                        "error_message": error,
                        "method": None,
                        "md5_hash": None,
                        "sidecars": None,
                        "now": now,
                    },
                )
                params = {"id": op.parent_operation_id, "now": at}
                if query == "staging_mark_reversed":  # whoever restored it reversed the archive
                    params["by"] = op.triggered_by
                con.execute(sql_files.query(query), params)
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        return replace(
            op,
            status="completed",
            phase="done",
            error_message=error or op.error_message,
            completed_at=now,
        )

    def get(self, op_id: int) -> Operation:
        found = self._select("staging_operation", {"id": op_id})
        if not found:
            raise KeyError(f"no archive operation {op_id}")
        return found[0]

    def unfinished(self) -> list[Operation]:
        return self._select("staging_unfinished_operations", {})

    def everything(self) -> list[Operation]:
        return self._select("staging_all_operations", {})

    def staged(self, file_ids: Sequence[int] | None = None) -> list[Operation]:
        """Completed archive operations whose files are in staging now (all, or of `file_ids`)."""
        ids = None if file_ids is None else [int(i) for i in file_ids]
        return self._select("staging_staged_files", {"file_ids": ids})

    def locations(self) -> pl.DataFrame:
        """Per file the engine handled, where its bytes are (see staging_file_locations.sql)."""
        return self.warehouse.named("staging_file_locations")

    def _select(self, query: str, params: dict[str, Any]) -> list[Operation]:
        with self.warehouse.connect() as con:
            cursor = con.execute(sql_files.query(query), params)
            names = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchall()
        return [_operation(dict(zip(names, row, strict=True))) for row in rows]


def _sidecars_json(members: tuple[Member, ...]) -> str:
    return json.dumps([asdict(m) for m in members[1:]], ensure_ascii=False)


def _operation(row: dict[str, Any]) -> Operation:
    video = Member(
        source=row["source_path"],
        destination=row["destination_path"],
        size=row["file_size"],
        mtime_ns=row["source_mtime_ns"],
        inode=row["source_inode"],
        md5=row["md5_hash"],
    )
    sidecars = tuple(Member(**s) for s in json.loads(row["sidecars"] or "[]"))
    return Operation(
        operation_type=row["operation_type"],
        file_id=row["file_id"],
        members=(video, *sidecars),
        status=row["status"],
        phase=row["phase"],
        method=row["method"],
        plan_id=row["plan_id"],
        duplicate_group_id=row["duplicate_group_id"],
        root_key=row["root_key"],
        media_type=row["media_type"],
        relative_path=row["relative_path"],
        staging_root=row["staging_root"],
        manifest_path=row["manifest_path"],
        reason=row["reason"],
        parent_operation_id=row["parent_operation_id"],
        error_message=row["error_message"],
        triggered_by=row["triggered_by"],
        id=row["id"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
        is_reversed=bool(row["is_reversed"]),
        deleted_permanently_at=row["deleted_permanently_at"],
    )
