"""Which files to stage now: people's approvals (and auto-approved plan rows, when allowed).

The last line of defence before files move: a rejected file is never staged, a file is staged
only once, and no group ever loses its last copy still in the library, whatever was approved.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mediavault_assets.review_store import FileDecision
from mediavault_assets.settings import Settings
from mediavault_assets.staging.engine import StageRequest


@dataclass(frozen=True, slots=True)
class Selection:
    requests: list[StageRequest]
    held_back: list[tuple[int, str]]  # (file_id, why it is not staged now)


def select_for_staging(
    candidates: Iterable[Mapping[str, object]],
    decisions: Mapping[int, FileDecision],
    presence: Iterable[Mapping[str, object]],
    settings: Settings,
) -> Selection:
    """StageRequests for approved files (`candidates`: sql/queries/staging_candidates.sql)."""
    rows = {int(r["file_id"]): r for r in candidates}  # type: ignore[call-overload]
    wanted: dict[int, tuple[FileDecision | None, Mapping[str, object]]] = {}
    held_back: list[tuple[int, str]] = []
    for file_id, decision in decisions.items():
        if decision.decision != "stage":
            continue
        row = rows.get(file_id)
        if row is None:
            held_back.append((file_id, "no longer in the library inventory"))
        elif row["location"] == "original":
            wanted[file_id] = (decision, row)
    if settings.auto_approve_enabled:
        for file_id, row in rows.items():
            if row["auto_approved"] and file_id not in decisions and row["location"] == "original":
                wanted[file_id] = (None, row)

    # Never empty a group: at least one present member must stay in the library.
    members: dict[int, set[int]] = defaultdict(set)
    for m in presence:
        if m["present"]:
            members[int(m["group_id"])].add(int(m["file_id"]))  # type: ignore[call-overload]
    for group_id, present in members.items():
        if present and present <= set(wanted):
            for file_id in sorted(present):
                wanted.pop(file_id)
                held_back.append((file_id, f"would leave group {group_id} without any copy"))

    requests = [
        _request(file_id, decision, row, settings)
        for file_id, (decision, row) in sorted(wanted.items())
    ]
    return Selection(requests, held_back)


def _request(
    file_id: int, decision: FileDecision | None, row: Mapping[str, object], settings: Settings
) -> StageRequest:
    root = settings.root(str(row["root_key"]))
    sidecars = tuple(
        root.path / s["relative_path"] for s in json.loads(str(row["sidecars"] or "[]"))
    )
    if decision is None:
        reason = f"Approved automatically. {row['deletion_reason']}"
        expected = (row["file_size"], row["mtime_ns"], row["inode"])
    else:
        note = f" Notes: {decision.notes}" if decision.notes else ""
        planned = f" {row['deletion_reason']}" if row["deletion_reason"] else ""
        reason = f"Approved by {decision.reviewer} on {decision.decided_at}.{note}{planned}"
        # The file must still be what the person decided on.
        expected = (decision.size, decision.mtime_ns, decision.inode)
    return StageRequest(
        plan_id=row["plan_id"],  # type: ignore[arg-type]
        file_id=file_id,
        group_id=row["group_id"],  # type: ignore[arg-type]
        root_key=root.key,
        media_type=str(row["media_type"] or "movie"),
        source=Path(str(row["local_path"])),
        relative_path=str(row["relative_path"]),
        expected_size=int(expected[0]),  # type: ignore[call-overload]
        expected_mtime_ns=int(expected[1]),  # type: ignore[call-overload]
        expected_inode=int(expected[2]),  # type: ignore[call-overload]
        sidecars=sidecars,
        reason=reason,
        md5=row["md5_hash"],  # type: ignore[arg-type]
    )
