"""Review state reaches the warehouse within a minute of a decision, not at the next analysis.

Decisions, queue answers, users and sessions live in the app's review store; the warehouse holds
a mirror of them (pending_deletions and duplicate_groups review columns, user_decisions,
review_queue statuses, users, sessions). A sensor notices the store changed and requests a small
run that mirrors it and republishes the snapshot, in the warehouse pool like every other write.
"""

import hashlib
import json

import dagster as dg

from mediavault_assets import sqlite_wal
from mediavault_assets.defs.library.review_queue import refresh_review_queue
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.staging.review_state import apply_review_state, review_state_digest
from mediavault_assets.warehouse import POOL, Warehouse, snapshot_path_for

# A run that has not read the store yet will mirror whatever changed meanwhile.
_WAITING = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


@dg.op(
    pool=POOL,
    description="Copy the review store's decisions, queue answers, users and sessions onto the "
    "warehouse, then republish the snapshot.",
)
def mirror_review_state(settings: MediaVaultSettings, warehouse: Warehouse) -> dict:
    conf = settings.load()
    apply_review_state(warehouse, conf)
    items = refresh_review_queue(warehouse, ReviewStore(conf.app_store_path))
    warehouse.publish_snapshot()
    return {"queue_items": len(items)}


@dg.job(description="Mirror the review state into the warehouse (what the review sensor asks).")
def mirror_review() -> None:
    mirror_review_state()


@dg.sensor(
    job=mirror_review,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a mirror run when the review store changed since the last one: the "
    "store file's stamp first (free), then a digest of what the mirror copies.",
)
def review_state_sensor(
    context: dg.SensorEvaluationContext, settings: MediaVaultSettings
) -> dg.RunRequest | dg.SkipReason:
    conf = settings.load()
    if not snapshot_path_for(conf.warehouse_path).exists():
        return dg.SkipReason("No snapshot yet: nothing has been scanned.")
    last = json.loads(context.cursor) if context.cursor else {}
    stamp = sqlite_wal.stamp(conf.app_store_path)
    if stamp == last.get("stamp"):
        return dg.SkipReason("The review store is unchanged since the last mirror.")
    digest = review_state_digest(conf)
    if digest == last.get("digest"):
        # Written, but not what the mirror copies (chat history, watch logs, ratings).
        context.update_cursor(json.dumps({"stamp": stamp, "digest": digest}))
        return dg.SkipReason("No review state changed since the last mirror.")
    waiting = context.instance.get_run_records(
        dg.RunsFilter(job_name=mirror_review.name, statuses=_WAITING), limit=1
    )
    if waiting:
        # The cursor stays: once that run is done, the next tick asks again if need be.
        return dg.SkipReason(f"Mirror run {waiting[0].dagster_run.run_id[:8]} is on its way.")
    context.update_cursor(json.dumps({"stamp": stamp, "digest": digest}))
    key = hashlib.sha256(json.dumps([stamp, digest]).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=f"mirror-{key}")
