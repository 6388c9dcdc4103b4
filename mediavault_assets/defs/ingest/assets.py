"""Ingest assets, one partition per library root: inventory, probes, parsed names.

Each asset is a small graph: the slow file-system work runs outside the warehouse pool, and only
the short read/write steps hold a slot in the "duckdb" pool.
"""

import json
import time
from datetime import datetime
from pathlib import Path

import dagster as dg
import polars as pl
from pydantic import Field

from mediavault_assets.defs.partitions import library_roots
from mediavault_assets.domain.scan_modes import (
    ScanRequest,
    ScanRequestError,
    folders_from_tag,
    parse_scan_request,
)
from mediavault_assets.ingest.inventory import (
    InventoryDiff,
    diff_inventory,
    in_scan,
    inventory_frame,
    refusal_to_replace,
    scan_history_row,
    utc_now,
    with_files_away,
    with_rows_outside_scan,
)
from mediavault_assets.ingest.names import parsed_frame, parsed_row
from mediavault_assets.ingest.probes import ProbeTask, probe_frame, probe_row, sidecar_languages
from mediavault_assets.media.name_parsing import NameParser
from mediavault_assets.media.probe import PROBE_THREADS, probe_many
from mediavault_assets.media.walker import WalkResult, walk_root
from mediavault_assets.presentation import markdown_table
from mediavault_assets.progress import Progress
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.run_tags import (
    PARTITION_TAG,
    SCAN_MODE_TAG,
    SCAN_PATHS_TAG,
    TRIGGER_TAG,
)
from mediavault_assets.settings import LibraryRoot
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session


def scan_request(context: dg.OpExecutionContext) -> ScanRequest:
    """The run's scan mode and folders, from its tags (set by the CLI, the app or a person in
    the launchpad)."""
    tags = context.run.tags
    try:
        return parse_scan_request(
            tags.get(SCAN_MODE_TAG), folders_from_tag(tags.get(SCAN_PATHS_TAG))
        )
    except ScanRequestError as problem:
        raise dg.Failure(f"{problem} (run tags {SCAN_MODE_TAG}, {SCAN_PATHS_TAG})") from None


@dg.op(description="Walk the library root and stat every video file (no warehouse access).")
def walk_library_root(context: dg.OpExecutionContext, settings: MediaVaultSettings) -> dict:
    config = settings.load()
    root = config.root(context.partition_key)
    request = scan_request(context)
    started_at = utc_now()
    where = ", ".join(str(root.path / f) for f in request.folders) or root.path
    context.log.info(f"Walking {where} ({request.scan_type} scan) ...")
    walk = walk_root(
        root.path,
        exclude=(config.staging_root,),
        folders=request.folders,
        progress=lambda n: n % 5000 == 0 and n and context.log.info(f"{n} video files so far"),
    )
    context.log.info(f"Found {len(walk.files)} video files, {len(walk.errors)} problems")
    return {"walk": walk, "started_at": started_at}


class StoreInventoryConfig(dg.Config):
    accept_empty_root: bool = Field(
        default=False,
        description="Store the scan even though the root lists no files while it had some.",
    )


@dg.op(
    pool=POOL,
    out=dg.Out(dg.Nothing),
    description="Replace the root's inventory rows and record the scan.",
)
@in_one_session
def store_inventory(
    context: dg.OpExecutionContext,
    config: StoreInventoryConfig,
    settings: MediaVaultSettings,
    warehouse: Warehouse,
    walked: dict,
) -> None:
    root = settings.load().root(context.partition_key)
    request = scan_request(context)
    walk: WalkResult = walked["walk"]
    previous = warehouse.named("inventory_signatures", {"root_key": root.key})
    completed_at = utc_now()
    away = warehouse.named("inventory_rows_away", {"root_key": root.key})
    found = inventory_frame(root, walk, previous, completed_at)
    # Files the staging engine moved out are not deleted from the library: they are away.
    # A path scan compares only the files of its folders with what it found there.
    present_before = previous.join(away.select("file_id"), on="file_id", how="anti").filter(
        in_scan(request)
    )
    diff = diff_inventory(found, present_before)
    refusal = refusal_to_replace(root, walk, found.height, present_before.height)
    if refusal and not (config.accept_empty_root and not walk.root_error):
        _record_scan(context, warehouse, root, walk, diff, walked, completed_at, "failed")
        raise dg.Failure(f"{refusal}. The previous inventory of the root stays as it was.")
    if request.folders:
        found = with_rows_outside_scan(
            found, warehouse.named("inventory_rows", {"root_key": root.key}), request
        )
    frame = with_files_away(found, away)
    warehouse.replace_partition("inventory_files", root.key, frame)
    # updated_at moves only when the root's settings change.
    warehouse.replace_rows(
        "library_roots",
        _root_row(root),
        where="root_key = ?",
        params=[root.key],
        kept=["updated_at"],
    )
    # "running" until the scan's last step (scan_outcome) closes the row; the app sees it now
    # only if the inventory changed (else scan_outcome's publish shows the scan moments later).
    changed = bool(diff.new or diff.updated or diff.deleted)
    _record_scan(
        context, warehouse, root, walk, diff, walked, completed_at, "running", publish=changed
    )
    _settle_scans_left_running(context, warehouse)
    context.add_output_metadata(
        {
            "files_found": diff.found,
            "files_new": diff.new,
            "files_updated": diff.updated,
            "files_deleted": diff.deleted,
            "bytes_total": dg.MetadataValue.int(diff.bytes_total),
            "scan_errors": len(walk.errors),
            "error_details": dg.MetadataValue.md(
                markdown_table([{"path": e.path, "error": e.error} for e in walk.errors[:50]])
                or "none"
            ),
            "folders_skipped": walk.skipped_dirs,
            "folders_walked": walk.directories,
            "preview": dg.MetadataValue.md(
                markdown_table(
                    frame.select("relative_path", "file_size", "link_count").head(10).to_dicts()
                )
            ),
        }
    )


def _record_scan(
    context: dg.OpExecutionContext,
    warehouse: Warehouse,
    root: LibraryRoot,
    walk: WalkResult,
    diff: InventoryDiff,
    walked: dict,
    completed_at: datetime,
    status: str,
    *,
    publish: bool = True,
) -> None:
    history = scan_history_row(
        root,
        walk,
        diff,
        started_at=walked["started_at"],
        completed_at=completed_at,
        triggered_by=context.run.tags.get(TRIGGER_TAG, "manual"),
        run_id=context.run_id,
        request=scan_request(context),
        status=status,
    )
    warehouse.replace_rows("scan_history", history, where="id = ?", params=[history["id"][0]])
    if publish:
        warehouse.publish_snapshot()


def close_scan(
    warehouse: Warehouse,
    run_id: str,
    root_key: str,
    status: str,
    errors: list[dict[str, str]] | None = None,
) -> None:
    warehouse.execute_named(
        "scan_close",
        {
            "status": status,
            "now": utc_now(),
            "error_details": json.dumps(errors) if errors is not None else None,
            "errors_count": len(errors) if errors is not None else None,
            "run_id": run_id,
            "root_key": root_key,
        },
    )


def _settle_scans_left_running(context: dg.OpExecutionContext, warehouse: Warehouse) -> None:
    """Rows of runs that ended without closing theirs (cancelled, or killed and settled as
    failed by run_recovery) get their run's outcome."""
    for row in warehouse.named("scans_left_running", {"run_id": context.run_id}).iter_rows(
        named=True
    ):
        run = context.instance.get_run_by_id(row["dagster_run_id"])
        if run is not None and not run.is_finished:
            continue  # another scan still running
        cancelled = run is not None and run.status == dg.DagsterRunStatus.CANCELED
        status = "cancelled" if cancelled else "failed"
        close_scan(warehouse, row["dagster_run_id"], row["root_key"], status)
        context.log.warning(f"scan {row['dagster_run_id'][:8]} of {row['root_key']}: {status}")


@dg.asset(
    partitions_def=library_roots,
    group_name="ingest",
    pool=POOL,
    deps=["probes", "parsed_names"],
    description="Closes the scan's scan_history row: completed, with the probe, integrity and "
    "name-parsing errors of the root's files beside the walk's.",
)
@in_one_session
def scan_outcome(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    root_key = context.partition_key
    [walk_errors] = warehouse.frame(
        "SELECT error_details FROM scan_history WHERE dagster_run_id = ? AND root_key = ?",
        [context.run.run_id, root_key],
    )["error_details"].to_list() or [None]
    file_errors = warehouse.named("scan_file_errors", {"root_key": root_key}).to_dicts()
    errors = json.loads(walk_errors or "[]") + file_errors
    close_scan(warehouse, context.run.run_id, root_key, "completed", errors)
    warehouse.publish_snapshot()
    return dg.MaterializeResult(
        metadata={
            "status": "completed",
            "errors_count": len(errors),
            "file_errors": len(file_errors),
            "errors": dg.MetadataValue.md(markdown_table(errors[:50]) or "none"),
        }
    )


@dg.failure_hook(required_resource_keys={"warehouse"})
def scan_failed(context: dg.HookContext) -> None:
    """A failing step closes the scan's row as failed (a killed run is settled by the next)."""
    run = context.instance.get_run_by_id(context.run_id)  # a HookContext has no `run`
    root_key = run.tags.get(PARTITION_TAG) if run else None
    if root_key:
        close_scan(context.resources.warehouse, context.run_id, root_key, "failed")


def _root_row(root: LibraryRoot) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "root_key": root.key,
                "path": str(root.path),
                "nas_path": root.nas_path,
                "media_type_hint": root.media_type,
                "updated_at": utc_now(),
            }
        ]
    )


@dg.graph_asset(
    partitions_def=library_roots,
    group_name="ingest",
    description="Every video file of the root: size, mtime, inode, link count and sidecars.",
)
def inventory() -> None:
    return store_inventory(walk_library_root())


@dg.op(
    pool=POOL,
    ins={"start": dg.In(dg.Nothing)},
    description="List the root's files whose probe is missing or out of date.",
)
@in_one_session
def plan_probes(context: dg.OpExecutionContext, warehouse: Warehouse) -> list[ProbeTask]:
    request = scan_request(context)
    rows = warehouse.named(
        "files_to_probe",
        {"root_key": context.partition_key, "every_file": request.reprobe_all},
    ).filter(in_scan(request))
    return [
        ProbeTask(
            file_id=r["file_id"],
            local_path=r["local_path"],
            file_size=r["file_size"],
            mtime_ns=r["mtime_ns"],
            inode=r["inode"],
            sidecar_languages=sidecar_languages(r["sidecars"]),
        )
        for r in rows.iter_rows(named=True)
    ]


@dg.op(description="Read media facts with mediainfo (no warehouse access).")
def probe_files(context: dg.OpExecutionContext, tasks: list[ProbeTask]) -> list[dict]:
    what = "files" if scan_request(context).reprobe_all else "new or changed files"
    context.log.info(f"Probing {len(tasks)} {what} ({PROBE_THREADS} at a time)")
    progress = Progress(context, "probe", len(tasks))
    started = time.monotonic()
    rows = []
    facts = probe_many(Path(task.local_path) for task in tasks)
    for done, (task, found) in enumerate(zip(tasks, facts, strict=True), start=1):
        rows.append(probe_row(task, context.partition_key, found, utc_now()))
        progress(done)
    context.add_output_metadata(_rate_metadata(len(tasks), time.monotonic() - started))
    return rows


def _rate_metadata(files: int, seconds: float) -> dict[str, float]:
    """What a step's output tells in the run view: how many files, how long, how fast."""
    return {
        "files": files,
        "seconds": round(seconds, 2),
        "files_per_second": round(files / seconds, 1) if files and seconds > 0 else 0.0,
    }


@dg.op(
    pool=POOL,
    out=dg.Out(dg.Nothing),
    description="Store the new probes and drop those of vanished files.",
)
@in_one_session
def store_probes(context: dg.OpExecutionContext, warehouse: Warehouse, rows: list[dict]) -> None:
    root_key = context.partition_key
    frame = probe_frame(rows)
    warehouse.replace_keys("file_probes", "file_id", frame["file_id"].to_list(), frame)
    dropped = warehouse.delete_named("delete_orphan_probes", {"root_key": root_key})
    totals = warehouse.named("probe_summary", {"root_key": root_key}).row(0, named=True)
    if frame.height or dropped:  # else the inventory's publish already shows every probe
        warehouse.publish_snapshot()
    failed = frame.filter(
        pl.col("probe_error").is_not_null() | pl.col("integrity_error").is_not_null()
    )
    context.add_output_metadata(
        {
            "files_probed": frame.height,
            "files_reused": totals["files"] - frame.height,
            "probe_errors": totals["probe_errors"],
            "integrity_errors": totals["integrity_errors"],
            "by_quality_tier": dg.MetadataValue.json(json.loads(totals["by_tier"] or "{}")),
            "errors": dg.MetadataValue.md(
                markdown_table(
                    failed.join(
                        warehouse.frame(
                            "SELECT file_id, relative_path FROM inventory_files WHERE root_key = ?",
                            [root_key],
                        ),
                        on="file_id",
                    )
                    .select("relative_path", "probe_error", "integrity_error")
                    .head(50)
                    .to_dicts()
                )
                or "none"
            ),
            "preview": dg.MetadataValue.md(
                markdown_table(
                    frame.select(
                        "file_id",
                        "format",
                        "video_codec",
                        "width",
                        "height",
                        "quality_tier",
                        "audio_languages",
                        "subtitle_languages",
                    )
                    .head(10)
                    .to_dicts()
                )
            ),
        }
    )


@dg.graph_asset(
    partitions_def=library_roots,
    group_name="ingest",
    ins={"inventory": dg.AssetIn(dagster_type=dg.Nothing)},
    description="Media facts per file (codec, resolution, bitrate, HDR, tracks, languages); "
    "only new or changed files are probed.",
)
def probes(inventory) -> None:  # type: ignore[no-untyped-def]
    return store_probes(probe_files(plan_probes(start=inventory)))


@dg.op(
    pool=POOL,
    ins={"start": dg.In(dg.Nothing)},
    description="List the root's files that have no parsed name yet.",
)
@in_one_session
def plan_name_parsing(
    context: dg.OpExecutionContext, warehouse: Warehouse
) -> list[tuple[int, str]]:
    rows = warehouse.named("files_to_parse", {"root_key": context.partition_key}).filter(
        in_scan(scan_request(context))
    )
    return list(zip(rows["file_id"].to_list(), rows["relative_path"].to_list(), strict=True))


@dg.op(description="Parse names with guessit, time-boxed per name (no warehouse access).")
def parse_names(
    context: dg.OpExecutionContext, settings: MediaVaultSettings, todo: list[tuple[int, str]]
) -> list[dict]:
    config = settings.load()
    root = config.root(context.partition_key)
    context.log.info(f"Parsing {len(todo)} new file names")
    started = time.monotonic()
    with NameParser() as parser:
        parsed = parser.parse_many(
            [(path, root.media_type) for _, path in todo],
            timeout_s=config.guessit_timeout_seconds,
            progress=Progress(context, "parse", len(todo)),
        )
    context.add_output_metadata(_rate_metadata(len(todo), time.monotonic() - started))
    now = utc_now()
    return [
        parsed_row(file_id, root.key, path, name, now)
        for (file_id, path), name in zip(todo, parsed, strict=True)
    ]


@dg.op(pool=POOL, out=dg.Out(dg.Nothing), description="Store parsed names.")
@in_one_session
def store_parsed_names(
    context: dg.OpExecutionContext, warehouse: Warehouse, rows: list[dict]
) -> None:
    root_key = context.partition_key
    frame = parsed_frame(rows)
    warehouse.replace_keys("parsed_names", "file_id", frame["file_id"].to_list(), frame)
    if warehouse.delete_named("delete_orphan_parsed_names", {"root_key": root_key}) or frame.height:
        warehouse.publish_snapshot()
    context.add_output_metadata(
        {
            "names_parsed": frame.height,
            "parse_errors": frame.filter(pl.col("parse_error").is_not_null()).height,
            "episodes": frame.filter(pl.col("media_type") == "tv").height,
            "movies": frame.filter(pl.col("media_type") == "movie").height,
            "preview": dg.MetadataValue.md(
                markdown_table(
                    frame.select(
                        "relative_path",
                        "title",
                        "year",
                        "season",
                        "episodes",
                        "edition",
                        "part",
                        "extra_kind",
                        "release_group",
                    )
                    .head(15)
                    .to_dicts()
                )
            ),
        }
    )


@dg.graph_asset(
    partitions_def=library_roots,
    group_name="ingest",
    ins={"inventory": dg.AssetIn(dagster_type=dg.Nothing)},
    description="What each path says: title, year, season/episodes, edition, part, extras, IDs.",
)
def parsed_names(inventory) -> None:  # type: ignore[no-untyped-def]
    return store_parsed_names(parse_names(plan_name_parsing(start=inventory)))
