"""From a walk of one library root to inventory rows, the scan's diff and its history row."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl

from mediavault_assets.domain.model import file_id_for, stable_id
from mediavault_assets.domain.scan_modes import ScanRequest
from mediavault_assets.settings import LibraryRoot

if TYPE_CHECKING:
    from mediavault_assets.media.walker import WalkResult

INVENTORY_SCHEMA = {
    "file_id": pl.Int64,
    "root_key": pl.String,
    "relative_path": pl.String,
    "filepath": pl.String,
    "local_path": pl.String,
    "filename": pl.String,
    "extension": pl.String,
    "file_size": pl.Int64,
    "mtime_ns": pl.Int64,
    "file_modified_at": pl.Datetime("us"),
    "file_created_at": pl.Datetime("us"),
    "device": pl.UInt64,
    "inode": pl.UInt64,
    "link_count": pl.Int32,
    "sidecars": pl.String,
    "first_seen_at": pl.Datetime("us"),
    "scanned_at": pl.Datetime("us"),
}


def utc_now() -> datetime:
    """Naive UTC, the way the warehouse stores timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def _from_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class InventoryDiff:
    found: int
    new: int
    updated: int
    deleted: int
    bytes_total: int


def inventory_frame(
    root: LibraryRoot, walk: WalkResult, previous: pl.DataFrame, scanned_at: datetime
) -> pl.DataFrame:
    """Rows for inventory_files; first_seen_at survives from the previous scan.

    Built column by column: a root holds up to hundreds of thousands of files.
    """
    files = walk.files
    relative = [f.relative_path for f in files]
    names = [r.rsplit("/", 1)[-1] for r in relative]
    ids = [file_id_for(root.key, r) for r in relative]
    first_seen = dict(
        zip(previous["file_id"].to_list(), previous["first_seen_at"].to_list(), strict=True)
    )
    local_root = str(root.path).rstrip("/")
    display = root.display_path("")
    return pl.DataFrame(
        {
            "file_id": ids,
            "root_key": [root.key] * len(files),
            "relative_path": relative,
            "filepath": [display + r for r in relative],
            "local_path": [f"{local_root}/{r}" for r in relative],
            "filename": names,
            "extension": [n.rsplit(".", 1)[-1].lower() if "." in n else "" for n in names],
            "file_size": [f.size for f in files],
            "mtime_ns": [f.mtime_ns for f in files],
            "file_modified_at": [_from_ns(f.mtime_ns) for f in files],
            "file_created_at": [_from_ns(f.ctime_ns) for f in files],
            "device": [f.device for f in files],
            "inode": [f.inode for f in files],
            "link_count": [f.nlink for f in files],
            "sidecars": [
                json.dumps([asdict(s) for s in f.sidecars]) if f.sidecars else None for f in files
            ],
            "first_seen_at": [first_seen.get(i, scanned_at) for i in ids],
            "scanned_at": [scanned_at] * len(files),
        },
        schema=INVENTORY_SCHEMA,
    )


def with_files_away(current: pl.DataFrame, away: pl.DataFrame) -> pl.DataFrame:
    """Keep the rows of staged or purged files the walk no longer finds at their place."""
    missing = away.join(current.select("file_id"), on="file_id", how="anti")
    return pl.concat([current, missing.select(current.columns).cast(INVENTORY_SCHEMA)])


def in_scan(request: ScanRequest) -> pl.Expr:
    """Rows (by relative_path) that lie in what the scan walks: all of them unless a path scan."""
    if not request.folders:
        return pl.lit(True)
    return pl.any_horizontal(
        [pl.col("relative_path").str.starts_with(f"{folder}/") for folder in request.folders]
    )


def with_rows_outside_scan(
    found: pl.DataFrame, rows_before: pl.DataFrame, request: ScanRequest
) -> pl.DataFrame:
    """The walk's rows plus, for a path scan, every earlier row outside its folders, untouched:
    a folder's walk says nothing about the rest of the root."""
    if not request.folders:
        return found
    outside = rows_before.filter(~in_scan(request))
    return pl.concat([found, outside.select(found.columns).cast(INVENTORY_SCHEMA)])


def refusal_to_replace(root: LibraryRoot, walk: WalkResult, found: int, before: int) -> str | None:
    """Why this walk must not replace the root's inventory, or None.

    A root that cannot be read, or that suddenly lists nothing (an unmounted share is an empty
    folder), says nothing about the files: replacing the inventory with it would make every
    copy there look deleted, and the copies elsewhere the last ones.
    """
    if walk.root_error:
        return f"root '{root.key}' was not scanned: {walk.root_error}"
    if found == 0 and before > 0:
        return (
            f"root '{root.key}' ({root.path}) lists no video files, but the last scan found "
            f"{before}; is the share mounted? If it really is empty now, scan it once with "
            "op config store_inventory.accept_empty_root: true"
        )
    return None


def diff_inventory(current: pl.DataFrame, previous: pl.DataFrame) -> InventoryDiff:
    """New, updated (size, mtime or inode changed) and deleted files against the last scan."""
    signature = ["file_id", "file_size", "mtime_ns", "inode"]
    prev = previous.select(signature).cast({"inode": pl.UInt64, "file_id": pl.Int64})
    cur = current.select(signature)
    joined = cur.join(prev, on="file_id", how="left", suffix="_prev")
    new = joined.filter(pl.col("file_size_prev").is_null()).height
    updated = joined.filter(
        pl.col("file_size_prev").is_not_null()
        & (
            (pl.col("file_size") != pl.col("file_size_prev"))
            | (pl.col("mtime_ns") != pl.col("mtime_ns_prev"))
            | (pl.col("inode") != pl.col("inode_prev"))
        )
    ).height
    deleted = prev.join(cur, on="file_id", how="anti").height
    return InventoryDiff(
        found=current.height,
        new=new,
        updated=updated,
        deleted=deleted,
        bytes_total=int(current["file_size"].sum() or 0),
    )


def scan_history_row(
    root: LibraryRoot,
    walk: WalkResult,
    diff: InventoryDiff,
    *,
    started_at: datetime,
    completed_at: datetime,
    triggered_by: str,
    run_id: str,
    request: ScanRequest,
    status: str = "completed",
) -> pl.DataFrame:
    errors = [{"path": e.path, "error": e.error} for e in walk.errors]
    return pl.DataFrame(
        [
            {
                "id": stable_id("scan", root.key, run_id),
                "root_key": root.key,
                "scan_type": request.scan_type,
                "nas_paths": [root.display_path(f) for f in request.folders]
                or [root.nas_path or str(root.path)],
                "scan_started_at": started_at,
                "scan_completed_at": completed_at,
                "duration_seconds": round((completed_at - started_at).total_seconds()),
                "files_found": diff.found,
                "files_new": diff.new,
                "files_updated": diff.updated,
                "files_deleted": diff.deleted,
                "errors_count": len(errors),
                "error_details": json.dumps(errors),
                "status": status,
                "triggered_by": triggered_by,
                "dagster_run_id": run_id,
            }
        ]
    )
