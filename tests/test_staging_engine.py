"""The staging engine on real files: stage → restore → stage again, on one and on two file
systems, with sidecars and hostile names; dry runs; refusals; purge rules; the journal."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mediavault_assets.staging import (
    MANIFEST_SUFFIX,
    StageRequest,
    StagingBusyError,
    StagingJournal,
    purge,
    restore,
    stage,
)
from tests.staging_helpers import (
    TODAY,
    bind_mount,
    files_under,
    md5,
    new_journal,
    originals,
    request_for,
    shm_dir,
    write_file,
)

# Untrusted names: Unicode, spaces, a newline, quotes, a leading dash.
NAMES = [
    "Movies/Amélie (2001)/Amélie (2001) 1080p.mkv",
    "Movies/Spaces  and\nnewline/-dash 'quoted' \"film\".mkv",
    "TV/東京物語/東京物語.S01E01.mkv",
]


@pytest.fixture
def journal(tmp_path: Path) -> StagingJournal:
    return new_journal(tmp_path / "data")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "volume1" / "videos"
    root.mkdir(parents=True)
    return root


def _with_sidecars(library: Path, relative: str, size: int = 300_000) -> tuple[str, ...]:
    video = library / relative
    write_file(video, size)
    stem = video.name.rsplit(".", 1)[0]
    sidecars = (f"{stem}.en.srt", f"{stem}.en.sdh.srt", f"{stem}.nfo")
    for name in sidecars:
        write_file(video.parent / name, 2_000)
    return sidecars


def _round_trip(library: Path, staging_root: Path, journal: StagingJournal, method: str) -> None:
    requests = [request_for(library, rel, sidecars=_with_sidecars(library, rel)) for rel in NAMES]
    before = {r.file_id: originals(r) for r in requests}
    mtimes = {p: p.stat().st_mtime_ns for files in before.values() for p in files}

    outcomes = stage(requests, staging_root, journal, today=TODAY)
    assert [o.status for o in outcomes] == ["moved"] * len(NAMES), outcomes
    for request, outcome in zip(requests, outcomes, strict=True):
        expected = staging_root / "movie" / "2026-03-01" / "videos" / request.relative_path
        assert outcome.destination == str(expected)
        assert md5(expected) == before[request.file_id][request.source]
        for sidecar in request.sidecars:
            assert not sidecar.exists()
            assert md5(expected.parent / sidecar.name) == before[request.file_id][sidecar]
        assert not request.source.exists()
        manifest = json.loads(
            expected.with_name(expected.name + MANIFEST_SUFFIX).read_text(encoding="utf-8")
        )
        assert manifest["original_path"] == str(request.source)
        assert manifest["md5"] == before[request.file_id][request.source]
        assert manifest["size"] == request.expected_size
        assert manifest["reason"] == request.reason
        assert manifest["plan_id"] == request.plan_id
        assert [s["original_path"] for s in manifest["sidecars"]] == [
            str(p) for p in request.sidecars
        ]
    ops = journal.staged()
    assert {op.method for op in ops} == {method}
    assert all(op.status == "completed" and op.phase == "done" for op in ops)
    assert all(m.md5 for op in ops for m in op.members)

    outcomes = restore(None, journal)
    assert [o.status for o in outcomes] == ["restored"] * len(NAMES), outcomes
    for files in before.values():
        for path, digest in files.items():
            assert md5(path) == digest
            assert path.stat().st_mtime_ns == mtimes[path]
    assert files_under(staging_root) == []  # staged files, manifests and empty folders gone
    assert journal.staged() == []
    locations = journal.locations().to_dicts()
    assert {row["location"] for row in locations} == {"original"}
    assert all(row["is_reversed"] for row in locations)

    # And back into staging again: a new operation, the same bytes.
    first = requests[0]
    again = request_for(library, first.relative_path, sidecars=_names(first))
    assert stage([again], staging_root, journal, today=TODAY)[0].status == "moved"
    locations = {row["file_id"]: row["location"] for row in journal.locations().to_dicts()}
    assert locations[first.file_id] == "staging"
    assert restore(None, journal)[0].status == "restored"
    assert originals(first) == before[first.file_id]


def _names(request: StageRequest) -> tuple[str, ...]:
    return tuple(p.name for p in request.sidecars)


def test_round_trip_on_one_file_system_renames(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    _round_trip(library, tmp_path / "volume1" / "duplicates_before_purge", journal, "rename")


def test_round_trip_across_file_systems_copies_and_verifies(
    library: Path, journal: StagingJournal
) -> None:
    with shm_dir() as shm:
        assert os.stat(shm).st_dev != os.stat(library).st_dev
        _round_trip(library, shm / "duplicates_before_purge", journal, "copy")


def test_one_device_seen_through_two_mounts_falls_back_to_a_copy(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    sidecars = _with_sidecars(library, "Movies/film.mkv")
    staging_folder = tmp_path / "volume1" / "duplicates_before_purge"
    staging_folder.mkdir()
    with bind_mount(library) as mounted_library, bind_mount(staging_folder) as mounted_staging:
        assert os.stat(mounted_library).st_dev == os.stat(mounted_staging).st_dev
        request = request_for(mounted_library, "Movies/film.mkv", sidecars=sidecars)
        before = originals(request)
        [outcome] = stage([request], mounted_staging, journal, today=TODAY)
        assert outcome.status == "moved", outcome
        assert "copied, verified" in outcome.message
        assert [op.method for op in journal.staged()] == ["copy"]
        assert [o.status for o in restore(None, journal)] == ["restored"]
        assert originals(request) == before


def test_mode_and_times_survive_a_cross_device_trip(library: Path, journal: StagingJournal) -> None:
    write_file(library / "film.mkv", 10_000)
    os.chmod(library / "film.mkv", 0o640)
    os.utime(library / "film.mkv", ns=(1_600_000_000_000_000_000, 1_500_000_000_123_456_789))
    request = request_for(library, "film.mkv")
    with shm_dir() as shm:
        [outcome] = stage([request], shm, journal, today=TODAY)
        staged = os.stat(str(outcome.destination))
        assert (staged.st_mode & 0o777, staged.st_mtime_ns) == (0o640, 1_500_000_000_123_456_789)
        restore(None, journal)
    back = os.stat(library / "film.mkv")
    assert (back.st_mode & 0o777, back.st_mtime_ns) == (0o640, 1_500_000_000_123_456_789)


def test_a_255_byte_name_gets_a_shortened_manifest_name(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    name = "é" * 125 + ".mkv"  # 254 bytes
    write_file(library / name, 1_000)
    request = request_for(library, name)
    staging_root = tmp_path / "staging"
    [outcome] = stage([request], staging_root, journal, today=TODAY)
    assert outcome.status == "moved"
    [manifest] = [p for p in files_under(staging_root) if p.name.endswith(MANIFEST_SUFFIX)]
    assert len(os.fsencode(manifest.name)) <= 255
    assert json.loads(manifest.read_text(encoding="utf-8"))["original_path"] == str(library / name)
    assert restore([request.file_id], journal)[0].status == "restored"
    assert (library / name).exists()


def test_dry_runs_change_nothing(tmp_path: Path, library: Path, journal: StagingJournal) -> None:
    sidecars = _with_sidecars(library, "film.mkv")
    request = request_for(library, "film.mkv", sidecars=sidecars)
    staging_root = tmp_path / "staging"
    before = originals(request)

    [outcome] = stage([request], staging_root, journal, today=TODAY, dry_run=True)
    assert outcome.status == "dry_run" and "rename" in outcome.message
    assert outcome.bytes == sum(p.stat().st_size for p in before)
    assert originals(request) == before and not staging_root.exists()
    assert journal.locations().is_empty()

    stage([request], staging_root, journal, today=TODAY)
    snapshot = {p: md5(p) for p in files_under(staging_root)}
    [outcome] = restore(None, journal, dry_run=True)
    assert outcome.status == "dry_run" and outcome.destination == str(request.source)
    [outcome] = purge(
        journal,
        now=datetime(2100, 1, 1),
        retention_days=30,
        approved_file_ids=[request.file_id],
        dry_run=True,
    )
    assert outcome.status == "dry_run"
    assert {p: md5(p) for p in files_under(staging_root)} == snapshot
    assert not request.source.exists()
    assert [op.status for op in journal.staged()] == ["completed"]


def test_unsafe_paths_are_refused(tmp_path: Path, library: Path, journal: StagingJournal) -> None:
    staging_root = tmp_path / "staging"
    write_file(library / "film.mkv", 1_000)
    good = request_for(library, "film.mkv")
    outside = tmp_path / "outside"
    outside.mkdir()
    # A symlinked folder inside staging that leads out of it.
    (staging_root / "movie" / "2026-03-01").mkdir(parents=True)
    (staging_root / "movie" / "2026-03-01" / "evil").symlink_to(outside)
    (library / "link.mkv").symlink_to(library / "film.mkv")

    requests = [
        replace(good, relative_path="../../etc/film.mkv"),
        replace(good, relative_path="a/./film.mkv"),
        replace(good, root_key=".."),
        replace(good, root_key="a/b"),
        replace(good, root_key="evil"),
        replace(good, source=Path("relative/film.mkv")),
        replace(good, media_type="music"),
        replace(request_for(library, "link.mkv"), file_id=good.file_id + 1),  # a symlink
        replace(good, source=staging_root / "movie" / "film.mkv", file_id=good.file_id + 2),
        replace(good, sidecars=(tmp_path / "elsewhere.srt",)),
        replace(good, sidecars=(good.source,)),
    ]
    outcomes = stage(requests, staging_root, journal, today=TODAY)
    assert [o.status for o in outcomes] == ["skipped"] * len(requests), outcomes
    messages = [o.message for o in outcomes]
    assert "unsafe" in messages[0] and "unsafe" in messages[1]
    assert "unsafe root key" in messages[2] and "unsafe root key" in messages[3]
    assert "symlink" in messages[4]
    assert "not absolute" in messages[5]
    assert "unknown media type" in messages[6]
    assert "not a regular file" in messages[7]
    assert "inside the staging folder" in messages[8]
    assert "not beside its video" in messages[9]
    assert "listed twice" in messages[10]
    assert list(outside.iterdir()) == []
    assert (library / "film.mkv").exists()
    assert [p for p in files_under(staging_root) if not p.is_symlink()] == []
    # Every refusal is journaled, and none of them decides where a file is.
    assert journal.locations().is_empty()


def test_a_file_already_in_staging_is_skipped(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    write_file(library / "film.mkv", 1_000)
    request = request_for(library, "film.mkv")
    outcomes = stage([request, request], tmp_path / "staging", journal, today=TODAY)
    assert [o.status for o in outcomes] == ["moved", "skipped"]
    assert outcomes[1].message == "already in staging"
    [outcome] = stage([request], tmp_path / "staging", journal, today=TODAY)
    assert outcome.message == "already in staging"


def test_restore_never_overwrites(tmp_path: Path, library: Path, journal: StagingJournal) -> None:
    sidecars = _with_sidecars(library, "film.mkv")
    request = request_for(library, "film.mkv", sidecars=sidecars)
    before = originals(request)
    stage([request], tmp_path / "staging", journal, today=TODAY)
    newcomer = write_file(request.sidecars[0], 10)  # a new subtitle took the old name

    [outcome] = restore([request.file_id], journal)
    assert outcome.status == "skipped"
    assert "original path is taken" in outcome.message
    assert md5(request.sidecars[0]) == newcomer
    assert not request.source.exists()
    assert journal.locations()["location"].to_list() == ["staging"]

    request.sidecars[0].unlink()
    assert restore([request.file_id], journal)[0].status == "restored"
    assert originals(request) == before
    assert restore([request.file_id], journal)[0].message == "not in staging"


def test_purge_deletes_only_approved_files_after_retention(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    staging_root = tmp_path / "staging"
    requests = []
    for name in ("approved.mkv", "unreviewed.mkv", "rejected.mkv"):
        requests.append(request_for(library, name, sidecars=_with_sidecars(library, name)))
    stage(requests, staging_root, journal, today=TODAY)
    approved, unreviewed, rejected = (r.file_id for r in requests)
    staged_at = journal.staged()[0].completed_at
    assert staged_at is not None

    def run(now: datetime, *, dry_run: bool = False, auto: bool = False) -> dict[int, str]:
        outcomes = purge(
            journal,
            now=now,
            retention_days=30,
            approved_file_ids=[approved],
            reviewed_file_ids=[approved, rejected],
            auto_delete_unreviewed=auto,
            dry_run=dry_run,
        )
        return {o.file_id: o.status for o in outcomes}

    early = staged_at + timedelta(days=29)
    assert run(early) == dict.fromkeys((approved, unreviewed, rejected), "skipped")
    assert len(files_under(staging_root)) == 3 * 5  # video, 3 sidecars, manifest each

    late = staged_at + timedelta(days=30, seconds=1)
    assert run(late, dry_run=True)[approved] == "dry_run"
    assert len(files_under(staging_root)) == 15
    assert run(late) == {approved: "purged", unreviewed: "skipped", rejected: "skipped"}
    assert not any("approved" in p.name for p in files_under(staging_root))
    assert len(files_under(staging_root)) == 10

    # Seed 000's auto-delete takes unreviewed files too, never ones a person decided to keep.
    assert run(late, auto=True) == {unreviewed: "purged", rejected: "skipped"}
    assert all("rejected" in p.name for p in files_under(staging_root))
    rows = {row["file_id"]: row for row in journal.locations().to_dicts()}
    assert rows[approved]["deleted_permanently_at"] == late
    assert rows[approved]["location"] == "deleted"
    assert rows[rejected]["location"] == "staging"
    # Nothing purged ever reaches back into the library.
    assert {p.name for p in library.iterdir()} == set()


def test_purge_of_chosen_files_records_who_asked(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    for name in ("chosen.mkv", "other.mkv"):
        write_file(library / name, 1_000)
    chosen, other = (request_for(library, n) for n in ("chosen.mkv", "other.mkv"))
    stage([chosen, other], tmp_path / "staging", journal, today=TODAY)
    staged_at = journal.staged()[0].completed_at
    assert staged_at is not None
    outcomes = purge(
        journal,
        now=staged_at + timedelta(days=31),
        retention_days=30,
        approved_file_ids=[chosen.file_id, other.file_id],
        approvers={chosen.file_id: 1, other.file_id: 1},
        file_ids=[chosen.file_id, 999],
        by=5,
    )
    assert [(o.file_id, o.status) for o in outcomes] == [
        (999, "skipped"),
        (chosen.file_id, "purged"),
    ]
    assert outcomes[0].message == "not in staging"
    assert [op.file_id for op in journal.staged()] == [other.file_id]
    # The delete is the asker's, not the approver's.
    deletes = journal.warehouse.frame(
        "SELECT file_id, triggered_by FROM archive_operations WHERE operation_type = 'delete'"
    )
    assert deletes.rows() == [(chosen.file_id, 5)]


def test_a_second_run_is_refused_while_one_holds_the_lock(
    tmp_path: Path, library: Path, journal: StagingJournal
) -> None:
    write_file(library / "film.mkv", 1_000)
    with journal.exclusive(), pytest.raises(StagingBusyError):
        stage([request_for(library, "film.mkv")], tmp_path / "staging", journal, today=TODAY)
    assert (library / "film.mkv").exists()


def test_migration_keeps_the_seed_columns(journal: StagingJournal) -> None:
    columns = journal.warehouse.frame(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'archive_operations'"
    )["column_name"].to_list()
    seed = [
        "id", "file_id", "duplicate_group_id", "operation_type", "source_path",
        "destination_path", "status", "started_at", "completed_at", "error_message",
        "is_reversed", "reversed_at", "reversed_by", "triggered_by", "created_at",
    ]  # fmt: skip
    ours = ["plan_id", "phase", "method", "md5_hash", "manifest_path", "sidecars"]
    assert set(seed + ours + ["deleted_permanently_at"]) <= set(columns)
