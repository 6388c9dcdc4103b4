"""Notifications (seed 002's open question): new duplicate groups after an analysis, staged
files due for purge, and any failed run, sent to MEDIAVAULT_NOTIFY_URL when it is set.

The sensors read only the published snapshot and the review store (never the warehouse a run
writes) and launch no run; what was told is in the review store's notification_log."""

from datetime import UTC, datetime

import dagster as dg

from mediavault_assets.defs.jobs import analyze_library
from mediavault_assets.domain import notices
from mediavault_assets.notifications import Delivery, NotificationLog, notify_once
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.run_tags import PARTITION_TAG
from mediavault_assets.settings import load_notify_url
from mediavault_assets.snapshot import DataUnavailable, read_named

_NO_URL = "MEDIAVAULT_NOTIFY_URL is not set: no notifications."


def _outcome(delivery: Delivery, nothing: str) -> dg.SkipReason:
    if delivery.notice is None:
        return dg.SkipReason(nothing)
    if delivery.error:
        return dg.SkipReason(f"Not delivered ({delivery.error}); retried next time.")
    return dg.SkipReason(f"Sent: {delivery.notice.title}")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[analyze_library],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After an analysis, tells MEDIAVAULT_NOTIFY_URL about duplicate groups it has "
    "not told of yet.",
)
def notify_new_duplicates(
    context: dg.RunStatusSensorContext, settings: MediaVaultSettings
) -> dg.SkipReason:
    url = load_notify_url()
    if not url:
        return dg.SkipReason(_NO_URL)
    conf = settings.load()
    try:
        groups = read_named(conf, "notify/duplicate_groups")
    except DataUnavailable as problem:
        return dg.SkipReason(str(problem))
    by_id = {str(r["id"]): r for r in groups.iter_rows(named=True)}
    delivery = notify_once(
        url,
        NotificationLog(conf.app_store_path),
        "new_duplicates",
        list(by_id),
        lambda ids: notices.new_duplicates(
            [by_id[i]["name"] for i in ids], sum(by_id[i]["potential_savings"] for i in ids)
        ),
    )
    return _outcome(delivery, "No new duplicate groups.")


@dg.sensor(
    minimum_interval_seconds=3600,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Tells MEDIAVAULT_NOTIFY_URL about staged files whose retention is over, before "
    "the nightly purge may delete them.",
)
def notify_purge_due(
    context: dg.SensorEvaluationContext, settings: MediaVaultSettings
) -> dg.SkipReason:
    url = load_notify_url()
    if not url:
        return dg.SkipReason(_NO_URL)
    conf = settings.load()
    try:
        due = read_named(
            conf,
            "notify/purge_due",
            {"now": datetime.now(UTC).replace(tzinfo=None), "retention_days": conf.retention_days},
        )
    except DataUnavailable as problem:
        return dg.SkipReason(str(problem))
    rows = {f"{r['file_id']}@{r['staged_at']}": r for r in due.iter_rows(named=True)}
    delivery = notify_once(
        url,
        NotificationLog(conf.app_store_path),
        "purge_due",
        list(rows),
        lambda items: notices.purge_due(
            [rows[i]["path"] for i in items],
            sum(rows[i]["file_size"] for i in items),
            conf.retention_days,
        ),
    )
    return _outcome(delivery, "No staged file is due for purge.")


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Tells MEDIAVAULT_NOTIFY_URL when a run fails.",
)
def notify_run_failed(
    context: dg.RunFailureSensorContext, settings: MediaVaultSettings
) -> dg.SkipReason:
    url = load_notify_url()
    if not url:
        return dg.SkipReason(_NO_URL)
    run = context.dagster_run
    delivery = notify_once(
        url,
        NotificationLog(settings.load().app_store_path),
        "run_failed",
        [run.run_id],
        lambda _: notices.run_failed(
            run.job_name, run.tags.get(PARTITION_TAG), run.run_id, context.failure_event.message
        ),
    )
    return _outcome(delivery, "Already told.")
