"""Issue 21's holes at the staging engine, on real files: sidecars two videos claim, purge that
must not trust paths, staging folders reached through a second mount, restores of a changed
staged copy, and an interrupted purge that must decide again."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from mediavault_assets.staging import StagingJournal, purge, restore, stage
from mediavault_assets.staging.engine import recover
from tests.staging_helpers import (
    TODAY,
    bind_mount,
    files_under,
    md5,
    new_journal,
    request_for,
    shm_dir,
    stage_task,
    start_child,
    wait_killed,
    write_file,
)

LATER = datetime(2100, 1, 1)


@pytest.fixture
def journal(tmp_path: Path) -> StagingJournal:
    return new_journal(tmp_path / "data")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "volume1" / "videos"
    root.mkdir(parents=True)
    return root


def _purge(journal: StagingJournal, file_id: int) -> str:
    [outcome] = purge(journal, now=LATER, retention_days=30, approved_file_ids=[file_id])
    return f"{outcome.status}: {outcome.message}"


def test_a_sidecar_another_present_video_claims_stays(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    folder = library / "Parasite (2019)"
    write_file(folder / "Parasite (2019).mkv", 2_000)
    write_file(folder / "Parasite (2019).avi", 1_000)
    subtitles = folder / "Parasite (2019).en.srt"
    subtitles.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n")
    # A plan made before the walker's fix listed the shared subtitles for the copy it stages.
    relative = "Parasite (2019)/Parasite (2019).avi"
    request = request_for(library, relative, sidecars=(subtitles.name,))
    [outcome] = stage([request], tmp_path / "staging", journal, today=TODAY)
    assert outcome.status == "moved"
    assert subtitles.exists()  # the kept film's only English subtitles stay beside it
    assert [p.name for p in files_under(tmp_path / "staging")] == [
        "Parasite (2019).avi",
        "Parasite (2019).avi.mediavault.json",
    ]


def test_purge_refuses_a_staging_folder_swapped_for_a_symlink_into_the_library(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    write_file(library / "Film.mkv", 5_000)
    request = request_for(library, "Film.mkv")
    staging_root = tmp_path / "staging"
    [staged] = stage([request], staging_root, journal, today=TODAY)
    # Someone moves the staged folder away and leaves a symlink into the library in its place,
    # where a file of the same name, size and time sits.
    day = Path(str(staged.destination)).parent.parent
    shutil.move(day, tmp_path / "moved-away")
    decoy_folder = library / "decoy" / "videos"
    decoy_folder.mkdir(parents=True)
    shutil.copy2(tmp_path / "moved-away" / "videos" / "Film.mkv", decoy_folder / "Film.mkv")
    day.symlink_to(library / "decoy")
    assert _purge(journal, request.file_id).startswith("skipped")
    assert (decoy_folder / "Film.mkv").exists()


def test_purge_refuses_a_staged_file_that_changed(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    write_file(library / "Film.mkv", 5_000)
    request = request_for(library, "Film.mkv")
    [staged] = stage([request], tmp_path / "staging", journal, today=TODAY)
    path = Path(str(staged.destination))
    st = path.stat()
    with open(path, "r+b") as handle:  # same size, same mtime, other bytes
        handle.write(b"X" * 100)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    outcome = _purge(journal, request.file_id)
    assert outcome.startswith("skipped") and "MD5" in outcome
    assert path.exists()


def test_purge_refuses_a_sidecar_replaced_by_a_symlink(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    write_file(library / "Film.mkv", 5_000)
    (library / "Film.en.srt").write_text("subtitles")
    precious = write_file(library / "Precious.mkv", 3_000)
    request = request_for(library, "Film.mkv", sidecars=("Film.en.srt",))
    [staged] = stage([request], tmp_path / "staging", journal, today=TODAY)
    sidecar = Path(str(staged.destination)).with_name("Film.en.srt")
    sidecar.unlink()
    sidecar.symlink_to(library / "Precious.mkv")
    assert _purge(journal, request.file_id).startswith("skipped")
    assert md5(library / "Precious.mkv") == precious


def test_a_source_inside_staging_seen_through_another_mount_is_refused(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    staging_root = library / "duplicates_before_purge"
    write_file(library / "Film.mkv", 5_000)
    [first] = stage([request_for(library, "Film.mkv")], staging_root, journal, today=TODAY)
    assert first.status == "moved"
    with bind_mount(library) as second:
        # The staged copy, as a scan of the second mount would list it.
        inside = Path(str(first.destination)).relative_to(library)
        request = request_for(second, str(inside), root_key="docker")
        [outcome] = stage([request], staging_root, journal, today=TODAY)
    assert outcome.status == "skipped"
    assert outcome.message == "the source is inside the staging folder"


def test_restore_refuses_a_staged_copy_that_changed_after_a_rename(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    write_file(library / "Film.mkv", 5_000)
    request = request_for(library, "Film.mkv")
    [staged] = stage([request], tmp_path / "staging", journal, today=TODAY)
    path = Path(str(staged.destination))
    with open(path, "r+b") as handle:  # the size stays; the bytes and the mtime change
        handle.write(b"X" * 100)
    [outcome] = restore([request.file_id], journal)
    assert outcome.status == "skipped" and "changed since it was staged" in outcome.message
    assert not (library / "Film.mkv").exists() and path.exists()


def test_an_interrupted_purge_that_deleted_nothing_is_decided_again(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    write_file(library / "Film.mkv", 5_000)
    request = request_for(library, "Film.mkv")
    staging_root = tmp_path / "staging"
    stage([request], staging_root, journal, today=TODAY)
    task = {"call": "purge", "file_ids": [request.file_id], "now": LATER}
    wait_killed(start_child(journal, {**task, "kill_at": "before_first_delete"}))
    before = files_under(staging_root)
    [recovered] = recover(journal)
    # Not rolled forward: the person may have changed their mind; the next purge decides.
    assert recovered.status == "rolled_back"
    assert files_under(staging_root) == before
    [kept] = purge(journal, now=LATER, retention_days=30, approved_file_ids=[])
    assert kept.status == "skipped" and files_under(staging_root) == before


def test_a_hardlinked_file_staged_across_devices_is_copied_once_and_comes_back_linked(
    library: Path, journal: StagingJournal
) -> None:
    """Two paths of one file (one row each in the plan): staged to another file system, the
    bytes are stored once; restored, the two paths are links of one file again."""
    digest = write_file(library / "Movies" / "Film.mkv", 300_000)
    (library / "Extra copy").mkdir()
    os.link(library / "Movies" / "Film.mkv", library / "Extra copy" / "Film.mkv")
    requests = [request_for(library, p) for p in ("Movies/Film.mkv", "Extra copy/Film.mkv")]
    with shm_dir() as shm:
        outcomes = stage(requests, shm / "staging", journal, today=TODAY)
        assert [o.status for o in outcomes] == ["moved", "moved"], outcomes
        staged = [p for p in files_under(shm / "staging") if p.suffix == ".mkv"]
        assert len(staged) == 2 and len({os.stat(p).st_ino for p in staged}) == 1
        assert not (library / "Movies" / "Film.mkv").exists()
        assert [o.status for o in restore(None, journal)] == ["restored", "restored"]
    back = [library / "Movies" / "Film.mkv", library / "Extra copy" / "Film.mkv"]
    assert {md5(p) for p in back} == {digest}
    assert os.stat(back[0]).st_ino == os.stat(back[1]).st_ino


def test_without_no_replace_rename_or_links_a_name_is_claimed_first(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    """On an SMB-like mount a crash between claiming the staged name and the rename leaves an
    empty placeholder: recovery removes it and the film is where it was; a plain run works."""
    digest = write_file(library / "Film.mkv", 5_000)
    request = request_for(library, "Film.mkv")
    staging_root = tmp_path / "staging"
    task = stage_task(request, staging_root, smb_like=True)
    wait_killed(start_child(journal, {**task, "kill_at": "after_placeholder"}))
    [placeholder] = files_under(staging_root)
    assert placeholder.stat().st_size == 0
    [recovered] = recover(journal)
    assert recovered.status == "rolled_back", recovered
    assert files_under(staging_root) == [] and md5(library / "Film.mkv") == digest
    assert not [op for op in journal.unfinished()]

    child = start_child(journal, task)
    child.join(60)
    assert child.exitcode == 0
    assert not (library / "Film.mkv").exists()
    [staged] = [p for p in files_under(staging_root) if p.suffix == ".mkv"]
    assert md5(staged) == digest
