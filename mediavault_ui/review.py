"""Decisions as the app sees them: the review store's rows next to the snapshot's plan.

Every write goes through ReviewStore with the file's signature as the snapshot shows it (what the
person saw); the store and the staging engine then refuse to act on a file that has changed since.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

import polars as pl

from mediavault_assets import reviewing, sql_files
from mediavault_assets.domain.review_queue import Status
from mediavault_assets.review_store import FileSignature, GroupAction, ReviewStore
from mediavault_assets.reviewing import DecisionLosesData, KeepOneCheck, check_keep_one
from mediavault_ui import queries
from mediavault_ui.data import Library

_DECISIONS_SCHEMA = {
    "file_id": pl.Int64,
    "group_id": pl.Int64,
    "plan_id": pl.Int64,
    "decision": pl.String,
    "reviewer": pl.String,
    "notes": pl.String,
    "decided_at": pl.String,
    "file_size": pl.Int64,
    "mtime_ns": pl.Int64,
    "inode": pl.Int64,
}


def decisions_frame(store: ReviewStore) -> pl.DataFrame:
    rows = [
        {
            "file_id": d.file_id,
            "group_id": d.group_id,
            "plan_id": d.plan_id,
            "decision": d.decision,
            "reviewer": d.reviewer,
            "notes": d.notes,
            "decided_at": d.decided_at,
            "file_size": d.size,
            "mtime_ns": d.mtime_ns,
            "inode": d.inode,
        }
        for d in store.decisions().values()
    ]
    return pl.DataFrame(rows, schema=_DECISIONS_SCHEMA)


def review_tables(library: Library) -> dict[str, pl.DataFrame]:
    """The review store's frames that queries.PLAN_ROWS and GROUPS join: decisions and
    not_duplicate."""
    store = library.review_store()
    return {
        "decisions": decisions_frame(store),
        "not_duplicate": pl.DataFrame(
            {"group_id": sorted(store.not_duplicate_groups())}, schema={"group_id": pl.Int64}
        ),
    }


def signatures(
    library: Library, file_ids: Iterable[int], group_id: int | None = None
) -> list[FileSignature]:
    """The files as the snapshot shows them, for a decision (group: the one decided on, else
    the plan row's)."""
    ids = list(dict.fromkeys(file_ids))
    rows = library.frame(queries.SIGNATURES, {"file_ids": ids})
    by_id = {r["file_id"]: r for r in rows.iter_rows(named=True)}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise LookupError(f"not in the library snapshot any more: {missing}")
    return [
        FileSignature(
            file_id=i,
            group_id=group_id if group_id is not None else by_id[i]["group_id"],
            plan_id=by_id[i]["plan_id"],
            size=by_id[i]["file_size"],
            mtime_ns=by_id[i]["mtime_ns"],
            inode=by_id[i]["inode"],
        )
        for i in ids
    ]


def keep_one_per_group(
    candidates: Iterable[int],
    members: dict[int, set[int]],
    away: set[int],
    quality: dict[int, float],
) -> tuple[list[int], list[int]]:
    """Split files a person wants staged into (allowed, refused) so that every group keeps at
    least one file: when a group would lose every member, its best candidate stays."""
    wanted = list(dict.fromkeys(candidates))
    allowed = set(wanted)
    for group in sorted(members):
        files = members[group]
        if files - away - allowed:
            continue
        in_group = [f for f in files if f in allowed]
        if in_group:
            allowed.discard(max(in_group, key=lambda f: (quality.get(f, 0.0), -f)))
    return [f for f in wanted if f in allowed], [f for f in wanted if f not in allowed]


def approve(
    library: Library, file_ids: Iterable[int], *, reviewer: str, notes: str | None = None
) -> tuple[int, list[int]]:
    """Approve staging these proposed files, never the last copy of a group.

    Returns (approved count, refused file ids)."""
    store = library.review_store()
    ids = list(dict.fromkeys(file_ids))
    membership = library.frame(queries.GROUP_MEMBERSHIP, {"file_ids": ids})
    members: dict[int, set[int]] = defaultdict(set)
    quality: dict[int, float] = {}
    for row in membership.iter_rows(named=True):
        members[row["group_id"]].add(row["file_id"])
        quality[row["file_id"]] = row["quality_score"]
    away = {d.file_id for d in store.approved()} | set(
        library.frame(queries.AWAY_FILES)["file_id"].to_list()
    )
    allowed, refused = keep_one_per_group(ids, members, away - set(ids), quality)
    if allowed:
        store.approve(signatures(library, allowed), reviewer=reviewer, notes=notes)
    return len(allowed), refused


def reject(
    library: Library, file_ids: Iterable[int], *, reviewer: str, notes: str | None = None
) -> int:
    """Keep these files (the plan's proposal is rejected)."""
    return library.review_store().reject(
        signatures(library, file_ids), reviewer=reviewer, notes=notes
    )


def keep_one_check(library: Library, member_ids: list[int], keep_file_id: int) -> KeepOneCheck:
    """What keeping only `keep_file_id` of these members would also keep (its other paths) and
    lose: decide_group's own check, so a confirmation can show it before anything is recorded."""
    rows = library.frame(sql_files.query("library_files"), {"file_ids": member_ids})
    return check_keep_one(rows, keep_file_id)


def decide_group(
    library: Library,
    group_id: int,
    member_ids: list[int],
    action: GroupAction,
    *,
    reviewer: str,
    keep_file_id: int | None = None,
    notes: str | None = None,
    accept_losses: bool = False,
) -> None:
    """Record a group decision; DecisionLosesData (nothing recorded) when keeping only
    `keep_file_id` loses what the plan never would, unless `accept_losses`."""
    same: set[int] = set()
    if action == "keep_one" and keep_file_id is not None:
        check = keep_one_check(library, member_ids, keep_file_id)
        if check.losses and not accept_losses:
            raise DecisionLosesData(check.losses)
        same = check.same_file_ids
    library.review_store().decide_group(
        group_id,
        signatures(library, member_ids, group_id),
        action,
        reviewer=reviewer,
        keep_file_id=keep_file_id,
        notes=notes,
        same_file_ids=same,
    )


def keep_files(
    library: Library,
    group_id: int,
    file_ids: list[int],
    *,
    reviewer: str,
    notes: str | None = None,
) -> int:
    """Keep some members of a group and leave the others' proposals to be decided."""
    return library.review_store().reject(
        signatures(library, file_ids, group_id), reviewer=reviewer, notes=notes
    )


def purge_due(library: Library) -> pl.DataFrame:
    """Staged files whose retention is over (file_id, staged_at, path, file_size): what a purge
    may delete; the purge job checks each again (approved, unchanged since staging)."""
    return library.frame(
        queries.PURGE_DUE,
        {
            "now": datetime.now(UTC).replace(tzinfo=None),
            "retention_days": library.settings.retention_days,
        },
    )


_QUEUE_SCHEMA = {
    "item_key": pl.String,
    "kind": pl.String,
    "status": pl.String,
    "confidence": pl.Float64,
    "reason": pl.String,
    "file": pl.String,
    "resolved_by": pl.String,
    "resolved_at": pl.String,
}


def queue_frame(library: Library) -> pl.DataFrame:
    """The review queue with the answers given since, as the CLI's `mediavault queue` lists it."""
    return pl.DataFrame(
        [
            {
                "item_key": e.item.item_key,
                "kind": e.item.kind,
                "status": e.item.status,
                "confidence": e.item.confidence,
                "reason": e.item.reason,
                "file": e.file or e.item.subject,
                "resolved_by": e.item.resolved_by,
                "resolved_at": e.item.resolved_at,
            }
            for e in reviewing.queue_entries(library.settings)
        ],
        schema=_QUEUE_SCHEMA,
    )


def resolve_queue(
    library: Library, item_keys: Iterable[str], status: Status, *, reviewer: str
) -> int:
    """Answer queue items the way `mediavault queue resolve` does (plan rows excluded: they are
    answered by approving or rejecting them)."""
    keys = list(dict.fromkeys(item_keys))
    for key in keys:
        reviewing.resolve_queue_item(library.settings, key, status, reviewer)
    return len(keys)
