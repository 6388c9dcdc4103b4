"""Nightly scans: one run per library root partition, then the library analysis."""

import dagster as dg

from mediavault_assets.defs.jobs import analyze_library, scan_library_root
from mediavault_assets.defs.partitions import library_roots
from mediavault_assets.run_recovery import settle_dead_runs
from mediavault_assets.run_tags import ORIGIN_TAG, TRIGGER_TAG


@dg.schedule(
    job=scan_library_root,
    cron_schedule="0 3 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Scan every library root at 03:00, one run per root.",
)
def nightly_scan(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
    settle_dead_runs(context.instance, echo=context.log.warning)
    keys = context.instance.get_dynamic_partitions(library_roots.name)
    if not keys:
        return dg.SkipReason("No library roots yet; the library_roots_sync sensor adds them.")
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return [
        dg.RunRequest(
            run_key=f"scan-{key}-{day}", partition_key=key, tags={TRIGGER_TAG: "scheduled"}
        )
        for key in keys
    ]


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[scan_library_root],
    request_job=analyze_library,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After the last running root scan succeeds, analyze the whole library.",
)
def analyze_after_scans(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    if context.dagster_run.tags.get(ORIGIN_TAG) == "cli":
        return dg.SkipReason("`mediavault refresh` runs the analysis itself")
    # A scan killed mid-run would otherwise count as running for ever and hold analysis back.
    settle_dead_runs(context.instance, echo=context.log.warning)
    active = context.instance.get_run_records(
        dg.RunsFilter(
            job_name=scan_library_root.name,
            statuses=[
                dg.DagsterRunStatus.QUEUED,
                dg.DagsterRunStatus.STARTED,
                dg.DagsterRunStatus.STARTING,
            ],
        )
    )
    if active:
        return dg.SkipReason(
            f"{len(active)} root scan(s) still running; the last one triggers analysis"
        )
    # Scans that end within one tick are each reported here: an analysis not started yet will
    # read all of them, so one is enough.
    waiting = context.instance.get_run_records(
        dg.RunsFilter(
            job_name=analyze_library.name,
            statuses=[dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.QUEUED],
        ),
        limit=1,
    )
    if waiting:
        return dg.SkipReason(
            f"analysis run {waiting[0].dagster_run.run_id[:8]} has not started yet; it covers "
            "this scan"
        )
    return dg.RunRequest(
        run_key=f"analyze-after-{context.dagster_run.run_id}",
        tags={TRIGGER_TAG: context.dagster_run.tags.get(TRIGGER_TAG, "scheduled")},
    )
