"""Decisions from the terminal (and scripts): list what awaits review, approve, reject, decide.

Reads the published snapshot for what a person sees and writes only the review store, so it
works while a Dagster run writes the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from mediavault_assets.domain.plan_checks import decision_losses
from mediavault_assets.domain.review_queue import QueueCandidate, QueueItem, Status, build_queue
from mediavault_assets.ingest.library_files import library_files
from mediavault_assets.review_store import (
    FileSignature,
    GroupAction,
    ManualGroupRefused,
    ReviewStore,
)
from mediavault_assets.settings import Settings
from mediavault_assets.snapshot import read_named


class UnknownIdError(ValueError):
    """An id that is not in the current plan or catalog."""


class DecisionLosesData(ValueError):
    """A group decision would stage what the plan never would; it needs an explicit yes."""

    def __init__(self, losses: list[str]) -> None:
        super().__init__(" ".join(losses))
        self.losses = losses


@dataclass(frozen=True, slots=True)
class KeepOneCheck:
    """A keep-one decision seen against the files themselves."""

    same_file_ids: set[int]  # the kept file's other paths: kept with it
    losses: list[str]  # what the plan never stages that the decision would


def check_keep_one(library_rows: pl.DataFrame, keep_file_id: int) -> KeepOneCheck:
    """Keeping `keep_file_id` of these files (sql/queries/library_files.sql rows of one group):
    its aliases (same device and inode) stay with it, and the plan's promises are applied to
    what the decision leaves."""
    files = library_files(library_rows)
    kept = next((f for f in files if f.file_id == keep_file_id), None)
    same = {
        f.file_id
        for f in files
        if kept is not None and (f.device, f.inode) == (kept.device, kept.inode)
    } - {keep_file_id}
    return KeepOneCheck(same, decision_losses(files, {keep_file_id, *same}))


def store_for(settings: Settings) -> ReviewStore:
    return ReviewStore(settings.app_store_path)


def awaiting_review(settings: Settings) -> pl.DataFrame:
    """Plan rows no person has decided on yet (auto-approved rows included, flagged)."""
    rows = read_named(settings, "awaiting_review")
    decided = set(store_for(settings).decisions())
    return rows.filter(~pl.col("file_id").is_in(list(decided)))


def _signature(row: dict) -> FileSignature:
    return FileSignature(
        file_id=row["file_id"],
        group_id=row["group_id"],
        plan_id=row["plan_id"],
        size=row["file_size"],
        mtime_ns=row["mtime_ns"],
        inode=row["inode"],
    )


def _plan_signatures(settings: Settings, plan_ids: Iterable[int]) -> list[FileSignature]:
    wanted = list(dict.fromkeys(plan_ids))
    rows = read_named(settings, "awaiting_review").filter(pl.col("plan_id").is_in(wanted))
    found = {r["plan_id"]: r for r in rows.iter_rows(named=True)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise UnknownIdError(
            "not in the current plan (or already staged): " + ", ".join(map(str, missing))
        )
    return [_signature(found[i]) for i in wanted]


def approve(
    settings: Settings, plan_ids: Iterable[int], reviewer: str, notes: str | None = None
) -> int:
    return store_for(settings).approve(
        _plan_signatures(settings, plan_ids), reviewer=reviewer, notes=notes
    )


def reject(
    settings: Settings, plan_ids: Iterable[int], reviewer: str, notes: str | None = None
) -> int:
    return store_for(settings).reject(
        _plan_signatures(settings, plan_ids), reviewer=reviewer, notes=notes
    )


def decide(
    settings: Settings,
    group_id: int,
    action: GroupAction,
    reviewer: str,
    *,
    keep_file_id: int | None = None,
    notes: str | None = None,
    accept_losses: bool = False,
) -> list[FileSignature]:
    """Record a group decision; returns the members it will stage.

    Raises DecisionLosesData, recording nothing, when keeping only `keep_file_id` would stage
    the only English-audio copy, the original-language version, an episode no kept file holds
    or a much longer file, unless `accept_losses`.
    """
    rows = read_named(settings, "group_members", {"group_id": group_id})
    if rows.height == 0:
        raise UnknownIdError(f"no duplicate group {group_id}")
    members = [_signature({**r, "group_id": group_id}) for r in rows.iter_rows(named=True)]
    if action == "keep_one" and keep_file_id not in {m.file_id for m in members}:
        raise UnknownIdError(f"file {keep_file_id} is not in group {group_id}")
    same: set[int] = set()
    if action == "keep_one":
        found = read_named(settings, "library_files", {"file_ids": [m.file_id for m in members]})
        check = check_keep_one(found, keep_file_id)  # type: ignore[arg-type]
        if check.losses and not accept_losses:
            raise DecisionLosesData(check.losses)
        same = check.same_file_ids
    store_for(settings).decide_group(
        group_id,
        members,
        action,
        reviewer=reviewer,
        keep_file_id=keep_file_id,
        notes=notes,
        same_file_ids=same,
    )
    kept = {keep_file_id, *same}
    return [m for m in members if action == "keep_one" and m.file_id not in kept]


def group_files(
    settings: Settings, file_ids: Iterable[int], reviewer: str, notes: str | None = None
) -> int:
    """Group files of the library as duplicates by hand; returns the duplicate group id the
    next analysis gives them (planned like any group, every row left to a person)."""
    wanted = list(dict.fromkeys(file_ids))
    rows = read_named(settings, "library_files", {"file_ids": wanted})
    missing = [i for i in wanted if i not in set(rows["file_id"].to_list())]
    if missing:
        raise UnknownIdError("not in the library: " + ", ".join(map(str, missing)))
    if rows.select("device", "inode").n_unique() < 2:
        raise ManualGroupRefused("these are one file on disk (hardlinks): nothing to group")
    return store_for(settings).group_files(wanted, reviewer=reviewer, notes=notes)


def ungroup(settings: Settings, group_id: int, reviewer: str) -> None:
    if not store_for(settings).ungroup(group_id, reviewer=reviewer):
        raise UnknownIdError(f"no manual group {group_id}")


@dataclass(frozen=True, slots=True)
class QueueEntry:
    item: QueueItem
    file: str | None


def queue_entries(
    settings: Settings, *, kind: str | None = None, status: str | None = None
) -> list[QueueEntry]:
    """The review queue of the last scan, with the answers given since (review store)."""
    rows = read_named(settings, "app/review_queue")
    store = store_for(settings)
    items = build_queue(
        (
            QueueCandidate(
                r["kind"],
                r["subject"],
                r["asset_id"],
                r["reason"],
                r["confidence"],
                r["file_signature"],
                r["file_count"],
            )
            for r in rows.iter_rows(named=True)
        ),
        store.queue_resolutions(),
        store.plan_resolutions(),
    )
    files = dict(zip(rows["item_key"], rows["file"], strict=True))
    return [
        QueueEntry(i, files.get(i.item_key))
        for i in items
        if (kind is None or i.kind == kind) and (status is None or i.status == status)
    ]


def resolve_queue_item(settings: Settings, item: str, status: Status, reviewer: str) -> QueueItem:
    """Answer a queue item (its id or key) as its file(s) are now."""
    found = next(
        (e.item for e in queue_entries(settings) if item in (str(e.item.id), e.item.item_key)),
        None,
    )
    if found is None:
        raise UnknownIdError(f"not in the review queue: {item}")
    if found.kind == "plan_review":
        # A plan row's answer is a staging decision, with its own checks.
        raise UnknownIdError(
            f"{item} is a plan row: answer it with `mediavault approve` or `mediavault reject`"
        )
    store_for(settings).resolve_queue_item(
        found.item_key, found.file_signature, status, reviewer=reviewer
    )
    return found
