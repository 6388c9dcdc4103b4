"""Notifications (issue 19): the sensors tell a webhook receiver on 127.0.0.1 about new duplicate
groups, staged files due for purge and failed runs, each once, and again after the receiver was
down. The sensors run on a copy of the refreshed demo's snapshot, from contexts built from real
runs of an ephemeral Dagster instance."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from fake_openai import clear_proxy_env
from test_ui_app import (
    copy_snapshot,
    edited_snapshot,
    first_proposal,
    stage_in_snapshot,
    ui_settings,
)

from mediavault_assets.defs.notify.sensors import (
    notify_new_duplicates,
    notify_purge_due,
    notify_run_failed,
)
from mediavault_assets.domain import notices
from mediavault_assets.notifications import NotificationLog, send
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.warehouse import snapshot_path_for


class Receiver:
    """A webhook receiver on 127.0.0.1: records each JSON POST; answers `status` (a list of
    statuses to answer in turn, then 200)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    receiver.received.append(json.loads(self.rfile.read(length)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify/mediavault"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    clear_proxy_env(monkeypatch)
    server = Receiver()
    monkeypatch.setenv("MEDIAVAULT_NOTIFY_URL", server.url)
    yield server
    server.server.shutdown()


@pytest.fixture
def warehouse(tmp_path: Path, refreshed_demo: Any) -> Path:
    return copy_snapshot(refreshed_demo, tmp_path / "data")


@pytest.fixture
def settings(tmp_path: Path, refreshed_demo: Any, warehouse: Path) -> MediaVaultSettings:
    return MediaVaultSettings(
        config_path=str(ui_settings(tmp_path, refreshed_demo, warehouse=warehouse))
    )


@dg.op
def succeeds() -> None:
    pass


@dg.op
def breaks() -> None:
    raise RuntimeError("disk full while writing inventory_files\nTraceback ...")


@dg.job
def a_job_that_succeeds() -> None:
    succeeds()


@dg.job(tags={"dagster/partition": "videos"})
def a_job_that_fails() -> None:
    breaks()


def _after_success(settings: MediaVaultSettings) -> dg.RunStatusSensorContext:
    instance = dg.DagsterInstance.ephemeral()
    result = a_job_that_succeeds.execute_in_process(instance=instance)
    return dg.build_run_status_sensor_context(
        sensor_name="notify_new_duplicates",
        dagster_event=result.get_run_success_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"settings": settings},
    )


def test_new_duplicate_groups_are_told_once_and_again_after_the_receiver_was_down(
    receiver: Receiver, settings: MediaVaultSettings, warehouse: Path
) -> None:
    with duckdb.connect(str(snapshot_path_for(warehouse)), read_only=True) as con:
        groups, savings = con.execute(
            "SELECT count(*), sum(potential_savings) FROM duplicate_groups"
        ).fetchone()
    assert groups > 1
    receiver.statuses = [503]  # down at first
    skipped = notify_new_duplicates(_after_success(settings))
    assert "Not delivered (the notification receiver answered HTTP 503)" in skipped.skip_message
    assert receiver.received == []

    skipped = notify_new_duplicates(_after_success(settings))
    [message] = receiver.received
    assert skipped.skip_message == f"Sent: MediaVault: {groups} new duplicate groups"
    assert message["title"] == f"MediaVault: {groups} new duplicate groups"
    assert (message["type"], message["kind"]) == ("info", "new_duplicates")
    assert "Red Dwarf S01E01" in message["body"] and "review them in the app" in message["body"]
    assert message["body"].count(",") >= 4 and f"and {groups - 5} more" in message["body"]
    assert notices.new_duplicates(["x"], savings).body.split("Up to ")[1] in message["body"]

    # Told once: the next analysis says nothing about the same groups.
    assert (
        notify_new_duplicates(_after_success(settings)).skip_message == "No new duplicate groups."
    )
    assert len(receiver.received) == 1


def test_staged_files_past_retention_are_told_before_the_purge(
    receiver: Receiver, settings: MediaVaultSettings, warehouse: Path
) -> None:
    context = dg.build_sensor_context(resources={"settings": settings})
    assert notify_purge_due(context).skip_message == "No staged file is due for purge."
    file_id = first_proposal(warehouse)
    stage_in_snapshot(warehouse, file_id)
    # Staged today: not due (retention 30 days).
    assert notify_purge_due(context).skip_message == "No staged file is due for purge."
    with edited_snapshot(warehouse) as con:
        con.execute(
            # file_locations is a view over the journal: its staged_at is the move's time.
            "UPDATE archive_operations SET started_at = started_at - INTERVAL 31 DAY, "
            "completed_at = completed_at - INTERVAL 31 DAY WHERE file_id = ?",
            [file_id],
        )
        path, size = con.execute(
            "SELECT root_key || '/' || relative_path, file_size FROM archive_operations "
            "WHERE file_id = ?",
            [file_id],
        ).fetchone()
    assert notify_purge_due(context).skip_message.startswith("Sent: MediaVault: 1 staged file")
    [message] = receiver.received
    assert message["type"] == "warning" and path in message["body"]
    assert "more than 30 days" in message["body"] and "Restore what you want" in message["body"]
    assert notify_purge_due(context).skip_message == "No staged file is due for purge."
    assert len(receiver.received) == 1 and size > 0


def test_a_failed_run_is_told_with_its_first_error_line(
    receiver: Receiver, settings: MediaVaultSettings
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    result = a_job_that_fails.execute_in_process(instance=instance, raise_on_error=False)
    context = dg.build_run_status_sensor_context(
        sensor_name="notify_run_failed",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"settings": settings},
    ).for_run_failure()
    notify_run_failed(context)
    [message] = receiver.received
    assert message["title"] == "MediaVault: a_job_that_fails failed for root 'videos'"
    assert message["type"] == "failure"
    assert result.dagster_run.run_id[:8] in message["body"]
    assert "Traceback" not in message["body"]
    notify_run_failed(context)  # the same run: told once
    assert len(receiver.received) == 1


def test_without_a_url_nothing_is_sent(
    monkeypatch: pytest.MonkeyPatch, settings: MediaVaultSettings
) -> None:
    monkeypatch.delenv("MEDIAVAULT_NOTIFY_URL", raising=False)
    assert (
        "MEDIAVAULT_NOTIFY_URL is not set"
        in notify_new_duplicates(_after_success(settings)).skip_message
    )


def test_only_http_urls_and_unreachable_receivers_are_plain_errors(tmp_path: Path) -> None:
    notice = notices.run_failed("scan_library_root", None, "0123456789", None)
    assert send("file:///etc/passwd", notice) == (
        "MEDIAVAULT_NOTIFY_URL must be an http:// or https:// URL"
    )
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]
    assert send(f"http://127.0.0.1:{port}/x", notice) == (
        "the notification receiver did not answer: ConnectError"
    )
    log = NotificationLog(tmp_path / "store.sqlite")
    log.record("run_failed", ["r1"], delivered=False, error="down")
    assert log.untold("run_failed", ["r1", "r2"]) == ["r1", "r2"]
    log.record("run_failed", ["r1"], delivered=True, error=None)
    assert log.untold("run_failed", ["r1", "r2"]) == ["r2"]
