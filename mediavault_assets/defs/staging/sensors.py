"""Turn approved decisions into staging runs, and purge on a schedule."""

import hashlib

import dagster as dg

from mediavault_assets.defs.staging.jobs import purge_staged, stage_approved
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.run_recovery import settle_dead_runs
from mediavault_assets.snapshot import DataUnavailable, read_snapshot


@dg.sensor(
    job=stage_approved,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a staging run when approvals (or auto-approved plan rows, when enabled) "
    "are waiting; the run key is derived from them, so nothing is requested twice.",
)
def approved_decisions_sensor(
    context: dg.SensorEvaluationContext, settings: MediaVaultSettings
) -> dg.RunRequest | dg.SkipReason:
    settle_dead_runs(context.instance, echo=context.log.warning)
    conf = settings.load()
    approved = {
        f"{d.file_id}@{d.decided_at}"
        for d in ReviewStore(conf.app_store_path).decisions().values()
        if d.decision == "stage"
    }
    # The snapshot, never the live warehouse: a sensor must not block a run's writes.
    try:
        handled = set(
            read_snapshot(conf, "SELECT file_id FROM file_locations WHERE location <> 'original'")[
                "file_id"
            ].to_list()
        )
        if conf.auto_approve_enabled:
            auto = read_snapshot(
                conf, "SELECT file_id, planned_at FROM pending_deletions WHERE auto_approved"
            )
            approved |= {f"{r['file_id']}@auto" for r in auto.iter_rows(named=True)}
    except DataUnavailable:
        return dg.SkipReason("No snapshot yet: nothing has been scanned.")
    waiting = sorted(a for a in approved if int(a.split("@")[0]) not in handled)
    if not waiting:
        return dg.SkipReason("No approved file waits for staging.")
    key = hashlib.sha256("\n".join(waiting).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=f"stage-{key}", tags={"mediavault/approvals": str(len(waiting))})


@dg.schedule(
    job=purge_staged,
    cron_schedule="30 4 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Purge staged files past the retention days (approved ones only).",
)
def nightly_purge(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    settle_dead_runs(context.instance, echo=context.log.warning)
    return dg.RunRequest()


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks failed the runs whose process is gone (killed, or the host restarted) and "
    "frees the warehouse pool they held, so no later run waits for them.",
)
def dead_runs_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    settled = settle_dead_runs(context.instance, echo=context.log.warning)
    return dg.SkipReason(
        f"Settled {len(settled)} run(s): "
        + "; ".join(f"{s.run_id[:8]} {s.reason}" for s in settled)
        if settled
        else "No run holds the pool without a live process."
    )
