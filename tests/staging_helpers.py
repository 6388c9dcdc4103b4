"""Helpers for the staging tests: real files, a real journal, a second file system, faults.

``start_child`` forks the process the fault tests SIGKILL (forked rather than spawned: a fresh
interpreter would spend most of the test time importing Dagster). Its task names the call
(stage / restore / purge), its arguments, an optional per-chunk delay and an optional step at
which the child kills itself.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import functools
import hashlib
import multiprocessing
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pytest

from mediavault_assets.domain.model import file_id_for
from mediavault_assets.staging import engine
from mediavault_assets.staging.engine import StageRequest
from mediavault_assets.staging.journal import StagingJournal
from mediavault_assets.warehouse import Warehouse

TODAY = date(2026, 3, 1)
SHM = Path("/dev/shm")


@functools.cache
def _migrated_template() -> Path:
    """A warehouse migrated once per test session; each journal gets a copy (migrating is slow)."""
    folder = Path(tempfile.mkdtemp(prefix="mv-warehouse-template-"))
    atexit.register(shutil.rmtree, folder, True)
    Warehouse(path=str(folder / "warehouse.duckdb")).migrate()
    return folder / "warehouse.duckdb"


def new_journal(directory: Path) -> StagingJournal:
    """A journal over a fresh, fully migrated warehouse in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated_template(), directory / "warehouse.duckdb")
    return StagingJournal(Warehouse(path=str(directory / "warehouse.duckdb"), lock_wait_seconds=30))


def write_file(path: Path, size: int) -> str:
    """A file of `size` random bytes; returns its MD5."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = os.urandom(size)
    path.write_bytes(data)
    return hashlib.md5(data).hexdigest()


def md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def request_for(
    root: Path,
    relative_path: str,
    *,
    root_key: str = "videos",
    media_type: str = "movie",
    sidecars: tuple[str, ...] = (),
    with_md5: bool = False,
    plan_id: int = 1,
) -> StageRequest:
    """A stage request for a file as it is now (what the plan saw)."""
    source = root / relative_path
    st = os.lstat(source)
    return StageRequest(
        plan_id=plan_id,
        file_id=file_id_for(root_key, relative_path),
        group_id=7,
        root_key=root_key,
        media_type=media_type,
        source=source,
        relative_path=relative_path,
        expected_size=st.st_size,
        expected_mtime_ns=st.st_mtime_ns,
        expected_inode=st.st_ino,
        sidecars=tuple(source.parent / name for name in sidecars),
        reason="Kept 1080p version. Deleted 720p version.",
        md5=md5(source) if with_md5 else None,
    )


def originals(request: StageRequest) -> dict[Path, str]:
    """The MD5 of the request's video and sidecars, at their original paths."""
    return {path: md5(path) for path in (request.source, *request.sidecars)}


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def assert_accounted(
    journal: StagingJournal, staging_root: Path, expected: dict[int, dict[Path, str]]
) -> dict[int, str]:
    """The fault invariant: every byte is either in its original place or in a verified copy in
    staging, and the journal says which. Returns each file's location."""
    locations = {row["file_id"]: row for row in journal.locations().to_dicts()}
    staged = {op.file_id: op for op in journal.staged()}
    found: dict[int, str] = {}
    for file_id, files in expected.items():
        row = locations.get(file_id)
        location = row["location"] if row else "original"
        assert location in ("original", "staging"), (location, row)
        if location == "staging":
            op = staged[file_id]
            where = {Path(m.source): Path(str(m.destination)) for m in op.members}
            assert set(where) == set(files)
            for original, digest in files.items():
                assert md5(where[original]) == digest, f"staged copy of {original} differs"
                # The original is gone, or (a source that could not be removed) still intact.
                assert not os.path.lexists(original) or md5(original) == digest
        else:
            for original, digest in files.items():
                assert md5(original) == digest, f"{original} is not intact"
        found[file_id] = location
    folders = {path.parent for files in expected.values() for path in files}
    partials = [p for folder in folders if folder.exists() for p in folder.glob(".mediavault-*")]
    if staging_root.exists():
        partials += staging_root.rglob(".mediavault-*")
    assert partials == [], f"partial files left behind: {partials}"
    assert journal.unfinished() == []
    return found


@contextlib.contextmanager
def tmpfs(size: str) -> Iterator[Path]:
    """A fresh tmpfs of `size` (a small one is a disk that fills up); unmounted afterwards."""
    mount_point = Path(tempfile.mkdtemp(prefix="mv-tmpfs-"))
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip()}); full-disk test skipped")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)
        mount_point.rmdir()


@contextlib.contextmanager
def bind_mount(folder: Path) -> Iterator[Path]:
    """`folder` seen through a bind mount: the same device, yet rename() across says EXDEV
    (what two Docker volumes of one NAS share look like)."""
    mount_point = Path(tempfile.mkdtemp(prefix="mv-bind-"))
    result = subprocess.run(
        ["mount", "--bind", str(folder), str(mount_point)], capture_output=True, text=True
    )
    if result.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot bind-mount here ({result.stderr.strip()})")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)
        mount_point.rmdir()


@contextlib.contextmanager
def shm_dir() -> Iterator[Path]:
    """A folder on /dev/shm: a second file system next to tmp_path's."""
    if not SHM.is_dir():
        pytest.skip("/dev/shm is not available; cross-device tests need a second file system")
    folder = Path(tempfile.mkdtemp(prefix="mv-staging-", dir=SHM))
    try:
        yield folder
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=True)


@contextlib.contextmanager
def immutable(folder: Path) -> Iterator[None]:
    """`chattr +i`: even root may then neither add, rename nor remove entries in `folder`."""
    result = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"chattr +i does not work here: {result.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def start_child(journal: StagingJournal, task: dict[str, Any]) -> BaseProcess:
    child = multiprocessing.get_context("fork").Process(
        target=_child, args=(journal.warehouse.path, task), daemon=True
    )
    child.start()
    return child


def stage_task(request: StageRequest, staging_root: Path, **extra: Any) -> dict[str, Any]:
    return {"call": "stage", "request": request, "staging_root": staging_root, **extra}


def wait_killed(child: BaseProcess, timeout: float = 60) -> None:
    """Wait for a child that kills itself (or is killed) with SIGKILL."""
    child.join(timeout)
    assert child.exitcode == -signal.SIGKILL, f"child ended with {child.exitcode}"


def kill_when(child: BaseProcess, condition: Callable[[], bool], timeout: float = 30) -> None:
    """SIGKILL `child` as soon as `condition()` holds (polled)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if not child.is_alive():
            raise AssertionError(f"child ended first, with {child.exitcode}")
        if time.monotonic() > deadline:
            child.kill()
            raise AssertionError("condition never held")
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    wait_killed(child)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_after(name: str, calls: int, *, only_if_true: bool = False) -> None:
    """Make engine.<name> SIGKILL the process right after its `calls`-th (effective) call."""
    original = getattr(engine, name)
    count = 0

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        result = original(*args, **kwargs)
        if result or not only_if_true:
            count += 1
            if count >= calls:
                _die()
        return result

    setattr(engine, name, wrapper)


def _child(warehouse_path: str, task: dict[str, Any]) -> None:
    journal = StagingJournal(Warehouse(path=warehouse_path, lock_wait_seconds=30))
    delay = task.get("delay_per_chunk", 0.0)

    def slow(file_id: int, done: int, total: int) -> None:
        time.sleep(delay)

    kill_at = task.get("kill_at")
    if kill_at == "before_removing_sources":
        engine._remove_sources = lambda *a, **k: _die()  # type: ignore[assignment]
    elif kill_at == "after_first_rename":
        _kill_after("_rename_noreplace", 1)
    elif kill_at == "before_first_delete":
        engine._unlink_checked = lambda *a, **k: _die()  # type: ignore[assignment]
    elif kill_at == "after_first_delete":
        _kill_after("_unlink_checked", 1, only_if_true=True)
    if task.get("smb_like"):
        # A file system with neither RENAME_NOREPLACE nor hard links (typical SMB mounts),
        # which this machine cannot mount: the OS calls answer as such a mount does.
        engine._renameat2 = None

        def no_links(*args: Any, **kwargs: Any) -> None:
            raise PermissionError(errno.EPERM, "Operation not permitted")

        engine.os.link = no_links  # type: ignore[assignment]
        if kill_at == "after_placeholder":
            engine.os.rename = lambda *a, **k: _die()  # type: ignore[assignment]

    if task["call"] == "stage":
        engine.stage(
            [task["request"]],
            task["staging_root"],
            journal,
            today=TODAY,
            progress=slow if delay else None,
        )
    elif task["call"] == "restore":
        engine.restore(task["file_ids"], journal, progress=slow if delay else None)
    else:
        engine.purge(
            journal,
            now=task["now"],
            retention_days=0,
            approved_file_ids=task["file_ids"],
        )
