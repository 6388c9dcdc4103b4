"""Faults: after each, every byte is in its original place or verified in staging, and the
journal says which (``assert_accounted``).

Kills are real: a forked child process runs the engine and dies by SIGKILL, either sent by the test
while the child copies 64 MiB across file systems (slowed per chunk), or sent by the child to
itself at an exact step (after the first rename, before removing sources, after the first purge
deletion). Then the next run's recovery finishes or undoes the operation.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from mediavault_assets.staging import StagingJournal, recover, restore, stage
from tests.staging_helpers import (
    TODAY,
    assert_accounted,
    files_under,
    immutable,
    kill_when,
    md5,
    new_journal,
    originals,
    request_for,
    shm_dir,
    stage_task,
    start_child,
    tmpfs,
    wait_killed,
    write_file,
)

BIG = 64 * 1024 * 1024


@pytest.fixture
def journal(tmp_path: Path) -> StagingJournal:
    return new_journal(tmp_path / "data")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "volume1" / "videos"
    root.mkdir(parents=True)
    return root


def _film(library: Path, size: int = 200_000, name: str = "Film (2001).mkv") -> list[str]:
    write_file(library / "Movies" / name, size)
    stem = name.rsplit(".", 1)[0]
    sidecars = [f"{stem}.en.srt", f"{stem}.nfo"]
    for sidecar in sidecars:
        write_file(library / "Movies" / sidecar, 3_000)
    return sidecars


def _partial_bigger_than(folder: Path, size: int):  # type: ignore[no-untyped-def]
    def check() -> bool:
        return any(p.stat().st_size > size for p in folder.rglob(".mediavault-*.partial"))

    return check


# -- SIGKILL ----------------------------------------------------------------------------------


def test_sigkill_in_the_middle_of_a_cross_device_copy_rolls_back(
    library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library, BIG)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    before = originals(request)
    with shm_dir() as shm:
        child = start_child(journal, stage_task(request, shm, delay_per_chunk=0.05))
        kill_when(child, _partial_bigger_than(shm, 16 * 1024 * 1024))
        [op] = journal.unfinished()
        assert (op.status, op.phase, op.method) == ("in_progress", "moving", "copy")

        [recovered] = recover(journal)
        assert (recovered.action, recovered.status) == ("recover", "rolled_back")
        assert assert_accounted(journal, shm, {request.file_id: before}) == {
            request.file_id: "original"
        }
        assert files_under(shm) == []
        assert journal.get(op.id).error_message == "interrupted while moving files"

        # The next run stages it properly.
        assert stage([request], shm, journal, today=TODAY)[0].status == "moved"
        assert assert_accounted(journal, shm, {request.file_id: before}) == {
            request.file_id: "staging"
        }


def test_an_original_deleted_by_someone_else_mid_copy_is_flagged_not_hidden(
    library: Path, journal: StagingJournal
) -> None:
    write_file(library / "Movies" / "Film.mkv", 16 * 1024 * 1024)
    request = request_for(library, "Movies/Film.mkv")
    with shm_dir() as shm:
        child = start_child(journal, stage_task(request, shm, delay_per_chunk=0.5))
        kill_when(child, _partial_bigger_than(shm, 0))
        request.source.unlink()  # not by us: the journal must not pretend it is anywhere

        [recovered] = recover(journal)
        assert recovered.status == "needs_attention"
        assert f"{request.source} is gone and was never moved" in recovered.message
        [row] = journal.locations().to_dicts()
        assert row["location"] == "needs_attention"
        assert files_under(shm) == []  # the partial copy is still cleaned up


def test_sigkill_after_the_copy_is_verified_rolls_forward(
    library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    before = originals(request)
    with shm_dir() as shm:
        wait_killed(
            start_child(journal, stage_task(request, shm, kill_at="before_removing_sources"))
        )
        [op] = journal.unfinished()
        assert op.phase == "transferred"
        assert all(p.exists() for p in before)  # killed before any source was removed

        [recovered] = recover(journal)
        assert recovered.status == "completed"
        assert assert_accounted(journal, shm, {request.file_id: before}) == {
            request.file_id: "staging"
        }
        assert not any(p.exists() for p in before)


def test_sigkill_between_renames_rolls_back(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    before = originals(request)
    staging_root = tmp_path / "volume1" / "duplicates_before_purge"
    wait_killed(
        start_child(journal, stage_task(request, staging_root, kill_at="after_first_rename"))
    )
    assert not request.source.exists()  # the video was renamed, its sidecars not yet

    [recovered] = recover(journal)
    assert recovered.status == "rolled_back"
    assert assert_accounted(journal, staging_root, {request.file_id: before}) == {
        request.file_id: "original"
    }
    assert os.lstat(request.source).st_ino == request.expected_inode  # renamed back, not copied


def test_sigkill_in_the_middle_of_a_restore_copy_rolls_back(
    library: Path, journal: StagingJournal
) -> None:
    _film(library, BIG, name="Big.mkv")
    request = request_for(library, "Movies/Big.mkv", sidecars=("Big.en.srt", "Big.nfo"))
    before = originals(request)
    with shm_dir() as shm:
        stage([request], shm, journal, today=TODAY)
        child = start_child(
            journal, {"call": "restore", "file_ids": [request.file_id], "delay_per_chunk": 0.05}
        )
        kill_when(child, _partial_bigger_than(library, 16 * 1024 * 1024))

        [recovered] = recover(journal)
        assert recovered.status == "rolled_back"
        assert assert_accounted(journal, shm, {request.file_id: before}) == {
            request.file_id: "staging"
        }
        assert not request.source.exists()
        assert restore([request.file_id], journal)[0].status == "restored"
        assert originals(request) == before


def test_sigkill_in_the_middle_of_a_purge_rolls_forward(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    staging_root = tmp_path / "staging"
    stage([request], staging_root, journal, today=TODAY)
    now = datetime(2100, 1, 1)
    task = {"call": "purge", "file_ids": [request.file_id], "now": now}
    wait_killed(start_child(journal, {**task, "kill_at": "after_first_delete"}))
    assert len(files_under(staging_root)) == 3  # one of four deleted

    [recovered] = recover(journal)
    assert (recovered.status, recovered.action) == ("completed", "recover")
    assert files_under(staging_root) == []
    [row] = journal.locations().to_dicts()
    assert row["location"] == "deleted" and row["deleted_permanently_at"] is not None


def test_a_lost_journal_leaves_a_copy_that_is_verified_and_taken_over(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    before = originals(request)
    with shm_dir() as shm:
        wait_killed(
            start_child(journal, stage_task(request, shm, kill_at="before_removing_sources"))
        )
        fresh = new_journal(tmp_path / "other")  # the journal of that run is gone
        [outcome] = stage([request], shm, fresh, today=TODAY)
        assert outcome.status == "moved", outcome
        assert assert_accounted(fresh, shm, {request.file_id: before}) == {
            request.file_id: "staging"
        }


# -- full disk, permissions -------------------------------------------------------------------


def test_a_full_disk_rolls_back_the_whole_group(library: Path, journal: StagingJournal) -> None:
    # The video fits on the 2 MiB staging disk, its sidecar then does not.
    write_file(library / "Movies" / "Film.mkv", 1_500_000)
    write_file(library / "Movies" / "Film.en.srt", 1_000_000)
    request = request_for(library, "Movies/Film.mkv", sidecars=("Film.en.srt",))
    before = originals(request)
    with tmpfs("2m") as disk:
        [outcome] = stage([request], disk / "staging", journal, today=TODAY)
        assert outcome.status == "failed"
        assert "No space left on device" in outcome.message
        assert assert_accounted(journal, disk, {request.file_id: before}) == {
            request.file_id: "original"
        }
        assert files_under(disk) == []
        [row] = journal.warehouse.frame(
            "SELECT status, phase, error_message FROM archive_operations"
        ).to_dicts()
        assert (row["status"], row["phase"]) == ("failed", "rolled_back")
        assert "No space left on device" in row["error_message"]


def test_a_staging_folder_that_refuses_writes_fails_cleanly(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    before = originals(request)
    staging_root = tmp_path / "staging"
    staging_root.mkdir()
    with immutable(staging_root):
        [outcome] = stage([request], staging_root, journal, today=TODAY)
    assert outcome.status == "failed"
    assert "Operation not permitted" in outcome.message
    assert assert_accounted(journal, staging_root, {request.file_id: before}) == {
        request.file_id: "original"
    }


def test_a_source_that_cannot_be_removed_rolls_the_copy_back(
    library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    before = originals(request)
    with shm_dir() as shm, immutable(library / "Movies"):
        [outcome] = stage([request], shm, journal, today=TODAY)
        assert outcome.status == "failed"
        assert "cannot remove" in outcome.message and "Operation not permitted" in outcome.message
        assert assert_accounted(journal, shm, {request.file_id: before}) == {
            request.file_id: "original"
        }
        assert files_under(shm) == []  # the verified copies were the ones removed


def test_a_sidecar_that_cannot_be_removed_is_reported_and_restore_still_works(
    library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    before = originals(request)
    stuck = request.sidecars[1]
    with shm_dir() as shm:
        with immutable(stuck):  # the video goes first, then this one refuses
            [outcome] = stage([request], shm, journal, today=TODAY)
            assert outcome.status == "moved"
            assert f"cannot remove {stuck}: Operation not permitted" in outcome.message
            # Its bytes are in both places, and the journal says so.
            assert assert_accounted(journal, shm, {request.file_id: before}) == {
                request.file_id: "staging"
            }
            assert stuck.exists() and not request.source.exists()
        [outcome] = restore([request.file_id], journal)
        assert outcome.status == "restored", outcome
        assert originals(request) == before
        assert files_under(shm) == []


def test_a_source_that_cannot_be_renamed_fails_cleanly(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    before = originals(request)
    staging_root = tmp_path / "staging"
    with immutable(library / "Movies"):
        [outcome] = stage([request], staging_root, journal, today=TODAY)
    assert outcome.status == "failed" and "Operation not permitted" in outcome.message
    assert assert_accounted(journal, staging_root, {request.file_id: before}) == {
        request.file_id: "original"
    }
    assert files_under(staging_root) == []


# -- destination taken, source changed --------------------------------------------------------


@pytest.mark.parametrize("cross_device", [False, True], ids=["same-fs", "cross-device"])
@pytest.mark.parametrize("taken", ["video", "sidecar", "manifest"])
def test_a_destination_that_exists_is_never_overwritten(
    tmp_path: Path, library: Path, journal: StagingJournal, cross_device: bool, taken: str
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    before = originals(request)
    with shm_dir() as shm:
        staging_root = shm if cross_device else tmp_path / "staging"
        folder = staging_root / "movie" / "2026-03-01" / "videos" / "Movies"
        name = {
            "video": "Film (2001).mkv",
            "sidecar": "Film (2001).nfo",
            "manifest": "Film (2001).mkv.mediavault.json",
        }[taken]
        occupant = write_file(folder / name, 123)

        [outcome] = stage([request], staging_root, journal, today=TODAY)
        assert outcome.status == "skipped"
        assert "destination already exists" in outcome.message
        assert md5(folder / name) == occupant
        assert files_under(staging_root) == [folder / name]
        assert assert_accounted(journal, staging_root, {request.file_id: before}) == {
            request.file_id: "original"
        }


def _replace_file(path: Path) -> None:
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)


CHANGES = {
    "size": lambda p: p.write_bytes(p.read_bytes() + b"more"),
    "mtime": lambda p: os.utime(p, ns=(0, 1_000_000_000)),
    "inode": _replace_file,
    "missing": lambda p: p.rename(p.with_name("moved away.mkv")),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_source_changed_after_planning_is_skipped(
    tmp_path: Path, library: Path, journal: StagingJournal, change: str
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    CHANGES[change](request.source)
    now_there = {p: md5(p) for p in library.rglob("*") if p.is_file()}
    staging_root = tmp_path / "staging"

    [outcome] = stage([request], staging_root, journal, today=TODAY)
    assert outcome.status == "skipped"
    assert ("missing" if change == "missing" else "changed since it was planned") in outcome.message
    assert {p: md5(p) for p in library.rglob("*") if p.is_file()} == now_there
    assert not staging_root.exists()
    [row] = journal.warehouse.frame("SELECT status, phase FROM archive_operations").to_dicts()
    assert row == {"status": "failed", "phase": "skipped"}


def test_a_missing_sidecar_skips_the_whole_group(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    sidecars = _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", sidecars=tuple(sidecars))
    request.sidecars[1].unlink()
    [outcome] = stage([request], tmp_path / "staging", journal, today=TODAY)
    assert outcome.status == "skipped" and "sidecar" in outcome.message
    assert request.source.exists() and request.sidecars[0].exists()


def test_content_changed_behind_unchanged_metadata_is_caught_by_the_md5(
    library: Path, journal: StagingJournal
) -> None:
    _film(library)
    request = request_for(library, "Movies/Film (2001).mkv", with_md5=True)
    st = request.source.stat()
    with open(request.source, "r+b") as handle:  # same size, same inode, mtime put back
        handle.write(b"X" * 16)
    os.utime(request.source, ns=(st.st_atime_ns, st.st_mtime_ns))
    before = originals(request)
    with shm_dir() as shm:
        [outcome] = stage([request], shm, journal, today=TODAY)
        assert outcome.status == "failed"
        assert "does not match its recorded MD5" in outcome.message
        assert assert_accounted(journal, shm, {request.file_id: before}) == {
            request.file_id: "original"
        }


def test_a_source_changed_between_plan_and_rename_is_refused(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    _film(library)
    request = request_for(library, "Movies/Film (2001).mkv")
    stale = replace(request, expected_mtime_ns=request.expected_mtime_ns - 1)
    [outcome] = stage([stale], tmp_path / "staging", journal, today=TODAY)
    assert outcome.status == "skipped" and "modification time" in outcome.message
    assert request.source.exists()
