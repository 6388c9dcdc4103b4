"""Turn approved decisions into staging runs, and purge on a schedule."""

import hashlib

import dagster as dg

from mediavault_assets.defs.staging.jobs import purge_staged, stage_approved
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.review_store import ReviewStore
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


nightly_purge = dg.ScheduleDefinition(
    job=purge_staged,
    cron_schedule="30 4 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Purge staged files past the retention days (approved ones only).",
)
