"""Seed 001's media_thumbnails: made in the background after each analysis, for new and
changed files only, and cleaned up when a file leaves the library."""

from pathlib import Path

import dagster as dg
import polars as pl

from mediavault_assets.defs.ingest.assets import inventory
from mediavault_assets.defs.jobs import analyze_library
from mediavault_assets.domain.model import stable_id
from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.media.thumbnails import BATCH, SIZES, ThumbnailJob, make_limited
from mediavault_assets.presentation import markdown_table
from mediavault_assets.progress import Progress
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session

_ROWS = {
    "id": pl.Int64,
    "media_file_id": pl.Int64,
    "thumbnail_size": pl.String,
    "mime_type": pl.String,
    "file_path": pl.String,
    "created_at": pl.Datetime("us"),
}


def thumbnail_file(cache_dir: Path, file_id: int, size: int, mtime_ns: int, box: str) -> Path:
    # Size and mtime in the name: a changed file gets new thumbnails, never a stale one.
    return cache_dir / "thumbs" / f"{file_id}-{size}-{mtime_ns}-{box}.jpg"


@dg.op(pool=POOL, ins={"start": dg.In(dg.Nothing)})
@in_one_session
def plan_thumbnails(settings: MediaVaultSettings, warehouse: Warehouse) -> dict:
    cache_dir = settings.load().cache_dir
    jobs = []
    for r in warehouse.named("thumbnails_wanted").iter_rows(named=True):
        targets = {
            box: str(thumbnail_file(cache_dir, r["file_id"], r["file_size"], r["mtime_ns"], box))
            for box in SIZES
        }
        if sorted(targets.values()) != r["recorded"] or not all(
            Path(t).exists() for t in targets.values()
        ):
            jobs.append(ThumbnailJob(r["file_id"], r["local_path"], targets))
    return {"jobs": jobs, "gone": warehouse.named("thumbnails_gone").to_dicts()}


@dg.op(description="Decode one frame per file and write both sizes (limited child processes).")
def make_thumbnail_files(context: dg.OpExecutionContext, plan: dict) -> dict:
    jobs: list[ThumbnailJob] = plan["jobs"]
    progress = Progress(context, "thumbnails", len(jobs))
    errors: dict[int, str] = {}
    for start in range(0, len(jobs), BATCH):
        errors.update(make_limited(jobs[start : start + BATCH]))
        progress(min(start + BATCH, len(jobs)))
    return {**plan, "errors": errors}


@dg.op(pool=POOL, out=dg.Out(dg.Nothing))
@in_one_session
def store_thumbnails(context: dg.OpExecutionContext, warehouse: Warehouse, made: dict) -> None:
    now = utc_now()
    errors: dict[int, str] = made["errors"]
    rows = [
        {
            "id": stable_id("thumbnail", str(job.file_id), box),
            "media_file_id": job.file_id,
            "thumbnail_size": box,
            "mime_type": "image/jpeg",
            "file_path": target,
            "created_at": now,
        }
        for job in made["jobs"]
        if job.file_id not in errors
        for box, target in sorted(job.targets.items())
    ]
    replaced = [job.file_id for job in made["jobs"]] + [g["media_file_id"] for g in made["gone"]]
    warehouse.replace_keys(
        "media_thumbnails", "media_file_id", replaced, pl.DataFrame(rows, schema=_ROWS)
    )
    stale = {g["file_path"] for g in made["gone"]}
    for path in stale:
        Path(path).unlink(missing_ok=True)
    if rows or stale:
        warehouse.publish_snapshot()
    context.add_output_metadata(
        {
            "files_made": len(made["jobs"]) - len(errors),
            "thumbnails_written": len(rows),
            "files_failed": len(errors),
            "thumbnails_removed": len(stale),
            "failures": dg.MetadataValue.md(
                markdown_table([{"file_id": f, "error": e} for f, e in list(errors.items())[:30]])
                or "none"
            ),
        }
    )


@dg.graph_asset(
    group_name="thumbnails",
    ins={"inventory": dg.AssetIn(key=inventory.key, dagster_type=dg.Nothing)},
    description="Seed 001's media_thumbnails: a 160x90 and a 640x360 JPEG per video, from a "
    "frame past the opening seconds that is not black; removed when a file leaves.",
)
def media_thumbnails(inventory) -> None:  # type: ignore[no-untyped-def]
    return store_thumbnails(make_thumbnail_files(plan_thumbnails(start=inventory)))


make_thumbnails = dg.define_asset_job(
    name="make_thumbnails",
    selection=dg.AssetSelection.assets(media_thumbnails),
    description="Thumbnails for new and changed files (requested after each analysis).",
)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[analyze_library],
    request_job=make_thumbnails,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Makes thumbnails in the background once an analysis has finished.",
)
def thumbnails_after_analysis(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"thumbnails-{context.dagster_run.run_id}")
