"""Settling runs whose process is gone, so a crash never wedges the warehouse pool.

A run killed with SIGKILL (a reboot, the OOM killer) stays STARTED in the Dagster instance and
keeps its slot of the one-slot "duckdb" pool, and every later run would wait for it forever.
Each run records which process works it (`WORKER_TAG`: host, boot, pid and the pid's start time,
so a pid reused after a reboot is not mistaken for the run); wherever a run starts, runs whose
worker is provably gone are marked failed and their slots and pending steps freed. A run on
another host, or one with no worker recorded yet, is never touched: nothing proves it dead.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEventType

from mediavault_assets.warehouse import POOL

WORKER_TAG = "mediavault/worker"
_IN_FLIGHT = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:  # not Linux: the pid's start time alone guards against reuse
        return "-"


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot ("-" where /proc is missing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        raise ProcessLookupError(pid) from None
    except OSError:
        return "-"
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    return stat[stat.rindex(")") + 2 :].split()[19]


@dataclass(frozen=True)
class Worker:
    """The process working a run, as recorded in its tag."""

    host: str
    boot: str
    pid: int
    started: str

    def encode(self) -> str:
        return f"{self.host}|{self.boot}|{self.pid}|{self.started}"

    @classmethod
    def decode(cls, text: str | None) -> Worker | None:
        parts = (text or "").split("|")
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]), parts[3])

    @classmethod
    def of(cls, pid: int) -> Worker:
        return cls(socket.gethostname(), _boot_id(), pid, _start_ticks(pid))

    def on_this_host(self) -> bool:
        return self.host == socket.gethostname()

    def gone(self) -> bool:
        """True only when this process provably ended: same host, and rebooted or no such pid
        (or the pid now belongs to a process started at another time)."""
        if not self.on_this_host():
            return False
        if self.boot != _boot_id():
            return True
        try:
            os.kill(self.pid, 0)
            started = _start_ticks(self.pid)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, another user's
            return False
        return "-" not in (started, self.started) and started != self.started

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"


def this_process_tags() -> dict[str, str]:
    """Tags for a run executed in this process (the CLI's in-process runs)."""
    return {WORKER_TAG: Worker.of(os.getpid()).encode()}


def record_worker(context: dg.InitResourceContext) -> None:
    """Tag a launched run with its run worker (the process that logged its start), once.

    Called as a step's resources start: the run worker of a daemon-launched run may run its
    steps in child processes, and the child must not record itself as the run's worker.
    """
    run = context.run
    if run is None or context.instance is None or WORKER_TAG in run.tags:
        return
    instance = context.instance
    started = instance.get_records_for_run(
        run.run_id, of_type=DagsterEventType.RUN_START, limit=1
    ).records
    event = started[0].event_log_entry.dagster_event if started else None
    pid = event.pid if event is not None and event.pid else os.getpid()
    instance.add_run_tags(run.run_id, {WORKER_TAG: Worker.of(pid).encode()})


@dataclass(frozen=True)
class PoolHolder:
    """A run holding (or queued for) a slot of the warehouse pool."""

    run_id: str
    job_name: str
    status: str
    steps: tuple[str, ...]
    since: datetime | None
    worker: Worker | None

    def describe(self) -> str:
        since = f", since {self.since:%Y-%m-%d %H:%M:%S} UTC" if self.since else ""
        who = self.worker.describe() if self.worker else "worker unknown"
        return (
            f"run {self.run_id[:8]} ({self.job_name}, {self.status.lower()}, {who}{since}) "
            f"holds the '{POOL}' pool for {', '.join(self.steps)}"
        )


def pool_holders(instance: dg.DagsterInstance, *, exclude: str | None = None) -> list[PoolHolder]:
    """Runs holding a slot of the warehouse pool, oldest first."""
    info = instance.event_log_storage.get_concurrency_info(POOL)
    steps: dict[str, list[str]] = {}
    for slot in info.claimed_slots:
        if slot.run_id != exclude:
            steps.setdefault(slot.run_id, []).append(slot.step_key)
    holders = []
    for run_id, keys in steps.items():
        record = instance.get_run_record_by_id(run_id)
        run = record.dagster_run if record else None
        since = (record.start_time or record.create_timestamp.timestamp()) if record else None
        holders.append(
            PoolHolder(
                run_id,
                run.job_name if run else "?",
                run.status.value if run else "DELETED",
                tuple(sorted(keys)),
                datetime.fromtimestamp(since, UTC) if since else None,
                Worker.decode(run.tags.get(WORKER_TAG)) if run else None,
            )
        )
    return sorted(holders, key=lambda h: h.since or datetime.min.replace(tzinfo=UTC))


@dataclass(frozen=True)
class Settled:
    run_id: str
    job_name: str
    reason: str


def settle_dead_runs(
    instance: dg.DagsterInstance,
    *,
    dry_run: bool = False,
    echo: Callable[[str], None] | None = None,
) -> list[Settled]:
    """Mark failed every in-flight run whose worker is gone and free the slots of ended runs."""
    settled: list[Settled] = []
    for record in instance.get_run_records(dg.RunsFilter(statuses=_IN_FLIGHT)):
        run = record.dagster_run
        worker = Worker.decode(run.tags.get(WORKER_TAG))
        if worker is None or not worker.gone():
            continue
        reason = f"its process ({worker.describe()}) is gone"
        settled.append(Settled(run.run_id, run.job_name, reason))
        if not dry_run:
            instance.report_run_failed(
                run, f"MediaVault marked this run failed: {reason} (killed or the host restarted)."
            )
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    # Slots or queued steps kept by runs that already ended (or were deleted).
    info = instance.event_log_storage.get_concurrency_info(POOL)
    holders = {s.run_id for s in info.claimed_slots} | {p.run_id for p in info.pending_steps}
    for run_id in sorted(holders - {s.run_id for s in settled}):
        run = instance.get_run_by_id(run_id)
        if run is not None and not run.is_finished:
            continue
        reason = f"it has {'ended' if run else 'been deleted'} but still held the pool"
        settled.append(Settled(run_id, run.job_name if run else "?", reason))
        if not dry_run:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    if echo:
        for item in settled:
            echo(
                f"{'Would settle' if dry_run else 'Settled'} run {item.run_id[:8]} "
                f"({item.job_name}): {item.reason}"
            )
    return settled
