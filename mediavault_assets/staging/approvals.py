"""Which files to stage now: people's approvals (and auto-approved plan rows, when allowed).

The last line of defence before files move. A person's latest decision always wins: a "keep"
beats auto-approval, at staging and at purge time. A file is staged only once, and only while
its group still holds a keeper: another copy that is present on disk right now, unchanged since
the scan, and a different physical file (device, inode): an alias of the same file (a second
mount, a hardlink) is no copy. When the keeper is gone (deleted, its disk dead, its share not
mounted) the decision lapses until there is one again; no group ever loses its last copy.
"""

from __future__ import annotations

import json
import os
import stat
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mediavault_assets.review_store import FileDecision
from mediavault_assets.settings import Settings
from mediavault_assets.staging.engine import StageRequest

PhysicalFile = tuple[int, int]  # (device, inode)


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
    """StageRequests for approved files (`candidates`: sql/queries/staging_candidates.sql,
    `presence`: sql/queries/group_presence.sql)."""
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

    for file_id, (_, row) in list(wanted.items()):
        if problem := _outside_its_root(row, settings):
            wanted.pop(file_id)
            held_back.append((file_id, problem))

    members: dict[int, list[Mapping[str, object]]] = defaultdict(list)
    for m in presence:
        if m["present"]:
            members[int(m["group_id"])].append(m)  # type: ignore[call-overload]
    leaving = {_physical(row) for _, row in wanted.values()}
    for file_id, (_, row) in sorted(wanted.items()):
        group_id = row["group_id"]
        group = members.get(int(group_id), []) if group_id is not None else []  # type: ignore[call-overload]
        keepers = [
            m
            for m in group
            if int(m["file_id"]) not in wanted and _physical(m) not in leaving  # type: ignore[call-overload]
        ]
        if not any(_unchanged_on_disk(m) for m in keepers):
            wanted.pop(file_id)
            held_back.append((file_id, _no_keeper(group_id, keepers)))

    requests = [
        _request(file_id, decision, row, settings)
        for file_id, (decision, row) in sorted(wanted.items())
    ]
    return Selection(requests, held_back)


def purge_approvals(
    decisions: Mapping[int, FileDecision], auto_approved: Iterable[int], settings: Settings
) -> set[int]:
    """The staged files purge may delete: approved by a person, or auto-approved with nobody
    having decided otherwise (a later "keep" or a restore wins over auto-approval)."""
    approved = {i for i, d in decisions.items() if d.decision == "stage"}
    if settings.auto_approve_enabled:
        approved |= {int(i) for i in auto_approved if int(i) not in decisions}
    return approved


def _physical(row: Mapping[str, object]) -> PhysicalFile:
    return (int(row["device"]), int(row["inode"]))  # type: ignore[call-overload]


def _unchanged_on_disk(member: Mapping[str, object]) -> bool:
    """Whether the member is on disk now as the scan saw it (a regular file, not a symlink)."""
    try:
        st = os.stat(str(member["local_path"]), follow_symlinks=False)
    except OSError:
        return False
    return (
        stat.S_ISREG(st.st_mode)
        and (st.st_dev, st.st_ino) == _physical(member)
        and st.st_size == member["file_size"]
        and st.st_mtime_ns == member["mtime_ns"]
    )


def _no_keeper(group_id: object, keepers: list[Mapping[str, object]]) -> str:
    if group_id is None:
        return "no longer in a duplicate group, so no copy would stay; the decision lapses"
    if not keepers:
        return f"would leave group {group_id} without any copy"
    return (
        f"no other copy of group {group_id} is on disk unchanged right now "
        f"({', '.join(str(m['local_path']) for m in keepers)}); the decision waits for one"
    )


def _outside_its_root(row: Mapping[str, object], settings: Settings) -> str | None:
    """Why the file is not a regular file inside its own library root, or None."""
    root = Path(os.path.realpath(settings.root(str(row["root_key"])).path))
    source = str(row["local_path"])
    if not Path(os.path.realpath(source)).is_relative_to(root) or os.path.islink(source):
        return f"{source} is not a file inside its library root {root}; not staged"
    return None


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
