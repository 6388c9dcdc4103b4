"""A killed run never wedges the pipeline: the real CLI, SIGKILLed at several moments, then again.

Each trial starts `mediavault stage|restore|purge|refresh` in a subprocess, kills it with SIGKILL
(no clean-up code runs), then runs the same command once more and asserts: it finishes within a
bound, every byte is at its source or verified in staging, no partial file remains, no journal
row stays in_progress, and no pool slot is held by a dead run.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from mediavault_assets.demo.media_factory import VideoSpec, make_video
from mediavault_assets.orchestration import prepare_dagster_home, refresh
from mediavault_assets.reviewing import approve
from mediavault_assets.run_recovery import WORKER_TAG, Worker, settle_dead_runs
from mediavault_assets.settings import Settings, load_settings
from mediavault_assets.snapshot import read_snapshot
from mediavault_assets.warehouse import POOL

pytestmark = pytest.mark.slow

KEEPER = "Movies/Heat (1995)/Heat.1995.1080p.mkv"
COPY = "downloads/Heat.1995.360p.mkv"
BIG = 300 * 1024 * 1024  # the copy's size: a cross-device copy that takes a moment
RERUN_SECONDS = 120  # a command after a crash finishes within this (it hung for ever before)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    dagster_home = prepare_dagster_home(tmp_path / "dagster_home")
    yield dagster_home
    os.environ.pop("DAGSTER_HOME", None)


def _library(tmp_path: Path, staging_root: Path, padding: int = BIG) -> Path:
    videos, docker = tmp_path / "volume1" / "videos", tmp_path / "volume1" / "docker"
    make_video(videos / KEEPER, VideoSpec(width=1920, height=1080, seed=1))
    make_video(docker / COPY, VideoSpec(width=640, height=360, seed=2))
    with open(docker / COPY, "ab") as tail:  # a big file, as real copies are
        for _ in range(padding // (1 << 20)):
            tail.write(os.urandom(1 << 20))
    config = {
        "warehouse_path": str(tmp_path / "data" / "warehouse.duckdb"),
        "app_store_path": str(tmp_path / "data" / "review.sqlite"),
        "cache_dir": str(tmp_path / "data" / "cache"),
        "staging_root": str(staging_root),
        "library_roots": [
            {"key": "videos", "path": str(videos), "media_type": "movie"},
            {"key": "docker", "path": str(docker), "media_type": "movie"},
        ],
        "retention_days": 0,
        "allow_purge_without_retention": True,
    }
    path = tmp_path / "mediavault.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def staging_on_another_device(tmp_path: Path) -> Iterator[Path]:
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on another file system than the temporary folder")
    folder = shm / f"mv-crash-{os.getpid()}-{tmp_path.name}"
    yield folder / "duplicates_before_purge"
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def _env(path: Path, home: Path) -> dict[str, str]:
    return {**os.environ, "MEDIAVAULT_CONFIG": str(path), "DAGSTER_HOME": str(home)}


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mediavault_assets.cli", *args]


def _run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    done = subprocess.run(
        _command(*args), env=env, capture_output=True, text=True, timeout=RERUN_SECONDS
    )
    assert done.returncode == 0, f"{args}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert time.monotonic() - started < RERUN_SECONDS
    return done


def _kill_when(
    env: dict[str, str], args: tuple[str, ...], ready: Callable[[], bool], delay: float
) -> bool:
    """Start the CLI, wait until `ready()`, wait `delay` more, SIGKILL it. False if it ended
    before it could be killed."""
    child = subprocess.Popen(
        _command(*args), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 90
    while not ready():
        if child.poll() is not None:
            return False
        assert time.monotonic() < deadline, f"{args} never reached the moment to kill it"
        time.sleep(0.005)
    time.sleep(delay)
    killed = child.poll() is None
    child.send_signal(signal.SIGKILL)
    child.wait()
    return killed


def _partials(*folders: Path) -> list[Path]:
    return [p for f in folders if f.exists() for p in f.rglob(".mediavault-*")]


def _copying(staging_root: Path) -> Callable[[], bool]:
    def ready() -> bool:
        return any(p.stat().st_size > 0 for p in _partials(staging_root) if p.exists())

    return ready


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _warehouse_rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _assert_bytes_safe(settings: Settings, original: Path, digest: str) -> None:
    """Right after a kill: the file is whole at its source or whole in staging."""
    staged = [p for p in settings.staging_root.rglob(original.name)]
    assert (original.exists() and _md5(original) == digest) or any(
        _md5(p) == digest for p in staged
    )


def _assert_settled(settings: Settings, home: Path, original: Path, digest: str) -> str:
    """The state after the next run; returns where the copy is ('original' or 'staging')."""
    assert (
        _warehouse_rows(
            settings, "SELECT id, status FROM archive_operations WHERE status = 'in_progress'"
        )
        == []
    )
    assert _partials(settings.staging_root, original.parent) == []
    staged = [p for p in settings.staging_root.rglob(original.name)]
    if original.exists():
        assert _md5(original) == digest
        assert staged == []
        where = "original"
    else:
        assert len(staged) == 1 and _md5(staged[0]) == digest
        where = "staging"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        info = instance.event_log_storage.get_concurrency_info(POOL)
        assert info.claimed_slots == [] and info.pending_steps == []
        live = instance.get_run_records(
            dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
        )
        assert live == []
    return where


def _copy_plan_id(settings: Settings) -> int:
    """The copy's plan row (decided or not: after a restore it is kept until approved again)."""
    plan = read_snapshot(
        settings,
        "SELECT p.id FROM pending_deletions p JOIN inventory_files i USING (file_id) "
        "WHERE i.relative_path = ?",
        [COPY],
    )
    [plan_id] = plan["id"].to_list()
    return int(plan_id)


def _replanned(settings: Settings, path: Path) -> int:
    """Refresh after a restore: a restored copy is a new file on disk (a new inode), and a file
    that changed since it was planned is never moved."""
    assert all(o.success for o in refresh(settings, path, echo=lambda _: None))
    return _copy_plan_id(settings)


def test_sigkill_during_staging_restore_and_purge_settles_on_the_next_run(
    tmp_path: Path, home: Path, staging_on_another_device: Path
) -> None:
    path = _library(tmp_path, staging_on_another_device)
    settings = load_settings(path)
    assert all(o.success for o in refresh(settings, path, echo=lambda _: None))
    env = _env(path, home)
    original = settings.root("docker").path / COPY
    digest = _md5(original)
    plan_id = _copy_plan_id(settings)

    # Five kills at different moments of a cross-device staging move, each followed by a plain
    # `mediavault stage`; then the file is restored (and approved again) for the next trial.
    kills = 0
    for trial, delay in enumerate((0.0, 0.05, 0.15, 0.4, 0.8)):
        approve(settings, [plan_id], reviewer="ann")  # again, after a restore
        kills += _kill_when(env, ("stage",), _copying(settings.staging_root), delay)
        _assert_bytes_safe(settings, original, digest)
        done = _run_cli(env, "stage")
        where = _assert_settled(settings, home, original, digest)
        assert where == "staging", (trial, done.stdout[-2000:])
        if trial < 4:
            _run_cli(env, "restore", "--all")
            assert _assert_settled(settings, home, original, digest) == "original"
            plan_id = _replanned(settings, path)
    assert kills >= 3, "most trials must kill the run mid-move"

    # Restore killed mid-copy, then finished by the next restore.
    restored = _kill_when(env, ("restore", "--all"), lambda: bool(_partials(original.parent)), 0.02)
    assert restored, "the restore was killed mid-copy"
    _assert_bytes_safe(settings, original, digest)
    _run_cli(env, "restore", "--all")
    assert _assert_settled(settings, home, original, digest) == "original"
    plan_id = _replanned(settings, path)

    # Purge killed as it deletes; the next purge finishes it.
    approve(settings, [plan_id], reviewer="ann")
    _run_cli(env, "stage")
    assert _assert_settled(settings, home, original, digest) == "staging"
    _kill_when(env, ("purge",), lambda: True, 3.0)
    _run_cli(env, "purge")
    assert list(settings.staging_root.rglob(original.name)) == []
    assert _partials(settings.staging_root) == []
    assert _warehouse_rows(
        settings, "SELECT count(*) FROM archive_operations WHERE status = 'in_progress'"
    ) == [(0,)]
    assert (settings.root("videos").path / KEEPER).exists()


def test_sigkill_during_a_refresh_leaves_old_or_new_partitions_and_the_next_refresh_completes(
    tmp_path: Path, home: Path
) -> None:
    path = _library(tmp_path, tmp_path / "volume1" / "duplicates_before_purge", padding=0)
    settings = load_settings(path)
    env = _env(path, home)
    _run_cli(env, "refresh")
    before = _warehouse_rows(settings, "SELECT root_key, count(*) FROM inventory_files GROUP BY 1")
    make_video(settings.root("videos").path / "Movies/Ronin (1998)/Ronin.1998.mkv", VideoSpec())
    for delay in (2.0, 5.0, 8.0):
        _kill_when(env, ("refresh",), lambda: True, delay)
        counts = dict(
            _warehouse_rows(settings, "SELECT root_key, count(*) FROM inventory_files GROUP BY 1")
        )
        assert counts["docker"] == 1 and counts["videos"] in (1, 2)  # old or new, never half
    _run_cli(env, "refresh")
    after = dict(
        _warehouse_rows(settings, "SELECT root_key, count(*) FROM inventory_files GROUP BY 1")
    )
    assert dict(before)["videos"] == 1 and after == {"docker": 1, "videos": 2}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.event_log_storage.get_concurrency_info(POOL).claimed_slots == []
        failed = instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
        assert failed, "the killed runs are marked failed"
        assert not instance.get_run_records(
            dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
        )
    # scan_history: no scan left "running"; a killed scan's row (if it got one) says failed.
    statuses = dict(
        _warehouse_rows(settings, "SELECT status, count(*) FROM scan_history GROUP BY 1")
    )
    assert "running" not in statuses and statuses["completed"] >= 4, statuses
    assert set(statuses) <= {"completed", "failed"}, statuses


# -- settling dead runs ------------------------------------------------------------------------


def _ended_process() -> Worker:
    child = subprocess.Popen(["sleep", "0.2"])
    worker = Worker.of(child.pid)
    child.wait()
    return worker


def _holding_run(instance: dg.DagsterInstance, worker: Worker | None, step: str) -> str:
    """A STARTED run, worked by `worker`, holding a slot of the warehouse pool."""
    run = instance.add_run(
        dg.DagsterRun(
            job_name="stage_approved",
            run_id=str(uuid.uuid4()),
            status=dg.DagsterRunStatus.STARTED,
            tags={WORKER_TAG: worker.encode()} if worker else {},
        )
    )
    claim = instance.event_log_storage.claim_concurrency_slot(POOL, run.run_id, step)
    assert claim.is_claimed
    return run.run_id


def test_a_dead_runs_slot_is_freed_and_a_live_runs_is_not(home: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        with dg.DagsterInstance.get() as instance:
            instance.event_log_storage.set_concurrency_slots(POOL, 6)
            dead = _holding_run(instance, _ended_process(), "dead_step")
            alive = _holding_run(instance, Worker.of(sleeper.pid), "alive_step")
            me = Worker.of(os.getpid())
            reused = _holding_run(instance, Worker(me.host, me.boot, me.pid, "1"), "reused_pid")
            rebooted = _holding_run(instance, Worker(me.host, "old-boot", me.pid, me.started), "b")
            elsewhere = _holding_run(instance, Worker("nas-2", "x", 1, "1"), "elsewhere")
            untagged = _holding_run(instance, None, "untagged")

            settled = {s.run_id for s in settle_dead_runs(instance)}

            assert settled == {dead, reused, rebooted}
            claimed = {
                s.run_id
                for s in instance.event_log_storage.get_concurrency_info(POOL).claimed_slots
            }
            assert claimed == {alive, elsewhere, untagged}
            status = {r: instance.get_run_by_id(r).status for r in (dead, alive)}  # type: ignore[union-attr]
            assert status == {
                dead: dg.DagsterRunStatus.FAILURE,
                alive: dg.DagsterRunStatus.STARTED,
            }
            assert settle_dead_runs(instance) == []  # nothing twice
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_command_waiting_for_a_live_run_says_so_and_gives_up(tmp_path: Path, home: Path) -> None:
    path = _library(tmp_path, tmp_path / "volume1" / "duplicates_before_purge", padding=0)
    config = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**config, "pool_wait_seconds": 6}))
    sleeper = subprocess.Popen(["sleep", "120"])
    try:
        with dg.DagsterInstance.get() as instance:
            instance.event_log_storage.initialize_concurrency_limit_to_default(POOL)  # 1 slot
            holder = _holding_run(instance, Worker.of(sleeper.pid), "stage_files")
        started, before = time.monotonic(), os.times()
        done = subprocess.run(
            _command("stage"), env=_env(path, home), capture_output=True, text=True, timeout=90
        )
        elapsed = time.monotonic() - started
        after = os.times()
        cpu = (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
    finally:
        sleeper.kill()
        sleeper.wait()
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert (
        f"run {holder[:8]}" in output and f"pid {sleeper.pid} on {socket.gethostname()}" in output
    )
    assert "gave up after waiting 6s" in output and "mediavault doctor" in output
    assert elapsed < 60
    assert cpu < elapsed * 0.8, f"waiting burned {cpu:.1f}s of CPU in {elapsed:.1f}s"
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_run_records(dg.RunsFilter(job_name="stage_approved"))
        [waiter] = [r for r in runs if r.dagster_run.run_id != holder]
        assert waiter.dagster_run.is_finished
        logged = [
            e.message
            for e in instance.all_logs(waiter.dagster_run.run_id)
            if "Waiting for the warehouse" in (e.message or "")
        ]
        assert logged and f"run {holder[:8]}" in logged[0]
        holders = instance.event_log_storage.get_concurrency_info(POOL).claimed_slots
        assert [s.run_id for s in holders] == [holder]  # the live holder is untouched


def test_doctor_reports_then_repairs_what_a_killed_stage_left(
    tmp_path: Path, home: Path, staging_on_another_device: Path
) -> None:
    path = _library(tmp_path, staging_on_another_device)
    settings = load_settings(path)
    assert all(o.success for o in refresh(settings, path, echo=lambda _: None))
    env = _env(path, home)
    original = settings.root("docker").path / COPY
    digest = _md5(original)
    approve(settings, [_copy_plan_id(settings)], reviewer="ann")
    assert _kill_when(env, ("stage",), _copying(settings.staging_root), 0.0)
    stray = settings.staging_root / "movie" / ".mediavault-999-0.partial"  # owned by no row
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"half a copy")
    partials = set(_partials(settings.staging_root))
    assert stray in partials and len(partials) == 2

    looked = _run_cli(env, "doctor", "--dry-run").stdout
    assert "Would settle run" in looked and "process (pid" in looked
    assert "Would settle interrupted archive" in looked
    assert looked.count("Would remove partial file") == 2 and "--dry-run" in looked
    assert set(_partials(settings.staging_root)) == partials  # nothing changed

    repaired = _run_cli(env, "doctor").stdout
    assert "Settled run" in repaired and "Repaired" in repaired
    assert _assert_settled(settings, home, original, digest) == "original"
    assert "Nothing to repair" in _run_cli(env, "doctor").stdout
