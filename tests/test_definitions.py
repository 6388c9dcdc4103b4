"""The code location loads, and its schedules and sensors ask for the right runs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg

from mediavault_assets.defs.ingest.schedules import analyze_after_scans, nightly_scan
from mediavault_assets.defs.partitions import library_roots, library_roots_sync, partition_changes
from mediavault_assets.orchestration import load_definitions
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.run_tags import TRIGGER_TAG


def test_definitions_load_with_jobs_schedules_sensors(config_file: Path) -> None:
    load_definitions.cache_clear()
    defs = load_definitions()
    for job in ("scan_library_root", "analyze_library"):
        assert defs.resolve_job_def(job)
    assert defs.resolve_schedule_def("nightly_scan").cron_schedule == "0 3 * * *"
    for sensor in ("library_roots_sync", "analyze_after_scans"):
        assert defs.resolve_sensor_def(sensor)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {
        "inventory",
        "probes",
        "parsed_names",
        "file_hashes",
        "quality_scores",
        "duplicate_groups",
        "deletion_plan",
        "library_catalog",
        "library_sources",
        "review_queue",
    } <= keys
    load_definitions.cache_clear()


def test_partition_changes() -> None:
    assert partition_changes(["a", "b"], ["b", "c"]) == (["a"], ["c"])
    assert partition_changes([], []) == ([], [])


def test_roots_sensor_keeps_partitions_in_sync(config_file: Path) -> None:
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(library_roots.name, ["old"])
        context = dg.build_sensor_context(
            instance=instance,
            resources={"settings": MediaVaultSettings(config_path=str(config_file))},
        )
        result = library_roots_sync(context)
        requests = result.dynamic_partitions_requests
        assert [(type(r).__name__, sorted(r.partition_keys)) for r in requests] == [
            ("AddDynamicPartitionsRequest", ["docker", "videos"]),
            ("DeleteDynamicPartitionsRequest", ["old"]),
        ]


def test_nightly_scan_requests_one_run_per_root() -> None:
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 11, 22, 3, 0)
        )
        assert isinstance(nightly_scan(context), dg.SkipReason)
        instance.add_dynamic_partitions(library_roots.name, ["videos", "docker"])
        requests = nightly_scan(context)
        assert sorted((r.partition_key, r.run_key) for r in requests) == [
            ("docker", "scan-docker-2026-11-22"),
            ("videos", "scan-videos-2026-11-22"),
        ]
        assert all(r.tags[TRIGGER_TAG] == "scheduled" for r in requests)


def _scan_succeeded(instance: dg.DagsterInstance, suffix: str) -> dg.RunStatusSensorContext:
    scan = dg.DagsterRun(
        job_name="scan_library_root",
        run_id=f"{suffix * 8}-0000-0000-0000-000000000000",
        status=dg.DagsterRunStatus.SUCCESS,
        tags={TRIGGER_TAG: "api"},
    )
    instance.add_run(scan)
    event = dg.DagsterEvent(
        event_type_value=dg.DagsterEventType.RUN_SUCCESS.value, job_name=scan.job_name
    )
    return dg.build_run_status_sensor_context(
        sensor_name="analyze_after_scans",
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=scan,
    )


def test_scans_ending_together_start_one_analysis() -> None:
    with dg.instance_for_test() as instance:
        request = analyze_after_scans(_scan_succeeded(instance, "a"))
        assert isinstance(request, dg.RunRequest) and request.tags == {TRIGGER_TAG: "api"}
        # The daemon creates that run; before it starts, the other root's scan is reported.
        instance.add_run(
            dg.DagsterRun(
                job_name="analyze_library",
                run_id=f"{'c' * 8}-0000-0000-0000-000000000000",
                status=dg.DagsterRunStatus.NOT_STARTED,
            )
        )
        skipped = analyze_after_scans(_scan_succeeded(instance, "b"))
        assert isinstance(skipped, dg.SkipReason) and "has not started yet" in str(
            skipped.skip_message
        )
