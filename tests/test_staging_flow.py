"""Approve → sensor → staged (with sidecars and manifest) → restore → back, byte-identical,
across two file systems (the library on disk, staging on the /dev/shm tmpfs); then purge."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from mediavault_assets.defs.staging.sensors import approved_decisions_sensor
from mediavault_assets.demo.media_factory import AudioSpec, VideoSpec, make_video
from mediavault_assets.orchestration import prepare_dagster_home, refresh, run_job
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.reviewing import approve, awaiting_review
from mediavault_assets.settings import load_settings
from mediavault_assets.user_store import UserStore
from mediavault_ui.auth import hash_password

pytestmark = pytest.mark.slow


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "volume1" / "videos"
    season = root / "TV" / "Red Dwarf" / "Season 01"
    make_video(season / "RedDwarf_TVLab_s01e01.mkv", VideoSpec(width=1280, height=720, seed=1))
    make_video(
        root / "old" / "Red.Dwarf.S01E01.WonderCrew.avi",
        VideoSpec(
            container="avi",
            video_codec="mpeg4",
            width=640,
            height=480,
            seed=2,
            audio=(AudioSpec(codec="mp3", language=None),),
        ),
    )
    (root / "old" / "Red.Dwarf.S01E01.WonderCrew.es.srt").write_text(
        "1\n00:00:00,000 --> 00:00:01,000\nHi\n"
    )
    staging = Path("/dev/shm") / f"mediavault-test-{uuid.uuid4().hex[:8]}"
    config = {
        "warehouse_path": str(tmp_path / "data" / "warehouse.duckdb"),
        "app_store_path": str(tmp_path / "data" / "review.sqlite"),
        "cache_dir": str(tmp_path / "data" / "cache"),
        "staging_root": str(staging / "duplicates_before_purge"),
        "library_roots": [{"key": "videos", "path": str(root), "media_type": "tv"}],
        "retention_days": 0,
        "allow_purge_without_retention": True,
    }
    path = tmp_path / "mediavault.yaml"
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    prepare_dagster_home(tmp_path / "dagster_home")
    try:
        yield path
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.environ.pop("DAGSTER_HOME", None)


def _warehouse(settings) -> duckdb.DuckDBPyConnection:  # type: ignore[no-untyped-def]
    return duckdb.connect(str(settings.warehouse_path), read_only=True)


def test_approve_sensor_stage_restore_purge(library: Path) -> None:
    settings = load_settings(library)
    assert all(o.success for o in refresh(settings, library, echo=lambda _: None))
    avi = settings.library_roots[0].path / "old" / "Red.Dwarf.S01E01.WonderCrew.avi"
    srt = avi.with_name("Red.Dwarf.S01E01.WonderCrew.es.srt")
    before = {avi: _md5(avi), srt: _md5(srt)}
    assert os.stat(avi).st_dev != os.stat("/dev/shm").st_dev, "staging must be another file system"

    plan = awaiting_review(settings)
    [row] = plan.filter(plan["file"].str.ends_with(".avi")).to_dicts()
    resources = {"settings": MediaVaultSettings(config_path=str(library))}
    users = UserStore(settings.app_store_path)
    ann = users.create_user("ann", hash_password("pw", iterations=1000), admin=False).id
    bo = users.create_user("bo", hash_password("pw", iterations=1000), admin=True).id
    users.start_session("ann", ttl_seconds=60, ip_address="127.0.0.1", user_agent="test")

    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources=resources)
        assert isinstance(approved_decisions_sensor(context), dg.SkipReason)
        approve(settings, [row["plan_id"]], reviewer="ann", notes="the 480p copy")
        first = approved_decisions_sensor(
            dg.build_sensor_context(instance=instance, resources=resources)
        )
        again = approved_decisions_sensor(
            dg.build_sensor_context(instance=instance, resources=resources)
        )
        assert isinstance(first, dg.RunRequest) and first.run_key == again.run_key

    staged = run_job(library, "stage_approved")
    assert staged.success and staged.output["counts"] == {"moved": 1}
    assert not avi.exists() and not srt.exists()
    with _warehouse(settings) as con:
        [(status, staged_path)] = con.sql(
            f"SELECT status, staged_path FROM media_files WHERE id = {row['file_id']}"
        ).fetchall()
        assert status == "archived"
        [(moved_at, final_action, reviewer)] = con.sql(
            f"SELECT moved_to_temp_at, final_action, reviewer FROM pending_deletions "
            f"WHERE id = {row['plan_id']}"
        ).fetchall()
        assert moved_at and final_action == "pending" and reviewer == "ann"
        # Who, as seed 002's user ids: the plan row's and group's reviewer, the staging's
        # approver; the users (no password hashes) and the sign-in reach the warehouse.
        [(reviewed_by,)] = con.sql(
            f"SELECT reviewed_by FROM pending_deletions WHERE id = {row['plan_id']}"
        ).fetchall()
        [(group_by,)] = con.sql(
            f"SELECT reviewed_by FROM duplicate_groups WHERE id = {row['group_id']}"
        ).fetchall()
        [(triggered_by,)] = con.sql(
            "SELECT triggered_by FROM archive_operations WHERE operation_type = 'archive'"
        ).fetchall()
        assert reviewed_by == group_by == triggered_by == ann
        [(user_id, confidence, notes)] = con.sql(
            "SELECT user_id, confidence, notes FROM user_decisions "
            f"WHERE file_id = {row['file_id']}"
        ).fetchall()
        assert (user_id, confidence, notes) == (ann, "certain", "the 480p copy")
        assert con.sql(
            "SELECT username, is_superuser, hashed_password FROM users ORDER BY id"
        ).fetchall() == [("ann", False, None), ("bo", True, None)]
        assert con.sql("SELECT user_id, ip_address, revoked FROM sessions").fetchall() == [
            (ann, "127.0.0.1", False)
        ]
        [(action,)] = con.sql(
            f"SELECT action_taken FROM duplicate_groups WHERE id = {row['group_id']}"
        ).fetchall()
        assert action == "archive_duplicates"
    staged_avi = Path(staged_path)
    assert staged_avi.is_relative_to(settings.staging_root / "tv")
    assert _md5(staged_avi) == before[avi]
    assert _md5(staged_avi.with_name(srt.name)) == before[srt]
    manifest = json.loads(staged_avi.with_name(staged_avi.name + ".mediavault.json").read_text())
    assert manifest["md5"] == before[avi] and manifest["original_path"] == str(avi)

    # Staged files stay staged across a rescan, and the sensor has nothing more to ask for.
    assert all(o.success for o in refresh(settings, library, echo=lambda _: None))
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources=resources)
        assert isinstance(approved_decisions_sensor(context), dg.SkipReason)

    restored = run_job(
        library,
        "restore_staged",
        op_config={"restore_files": {"restore_all": True, "restored_by": "bo"}},
    )
    assert restored.success and restored.output["counts"] == {"restored": 1}
    assert {p: _md5(p) for p in before} == before
    # The restore is bo's decision to keep the file: no staging run takes it again unasked.
    kept = ReviewStore(settings.app_store_path).decisions()[row["file_id"]]
    assert (kept.decision, kept.reviewer) == ("keep", "bo")
    with _warehouse(settings) as con:
        assert con.sql(
            "SELECT operation_type, triggered_by, reversed_by FROM archive_operations ORDER BY id"
        ).fetchall() == [("archive", ann, bo), ("restore", bo, None)]
    assert run_job(library, "stage_approved").output["counts"] == {}

    # A restore across file systems makes a new inode: a decision made on what the last scan
    # saw no longer applies, so the file is skipped, untouched, until a rescan and a new decision.
    approve(settings, [row["plan_id"]], reviewer="ann")
    assert run_job(library, "stage_approved").output["counts"] == {"skipped": 1}
    assert {p: _md5(p) for p in before} == before
    assert all(o.success for o in refresh(settings, library, echo=lambda _: None))
    with _warehouse(settings) as con:
        [(status,)] = con.sql(
            f"SELECT status FROM media_files WHERE id = {row['file_id']}"
        ).fetchall()
    assert status == "active"

    # Staged again, then purged (retention 0, approved): only purge deletes.
    approve(settings, [row["plan_id"]], reviewer="ann")
    assert run_job(library, "stage_approved").output["counts"] == {"moved": 1}
    dry = run_job(library, "purge_staged", op_config={"purge_files": {"dry_run": True}})
    assert dry.output["counts"] == {"dry_run": 1} and any(settings.staging_root.rglob("*.avi"))
    purged = run_job(library, "purge_staged")
    assert purged.output["counts"] == {"purged": 1}
    assert not any(settings.staging_root.rglob("*.avi")) and not avi.exists()
    with _warehouse(settings) as con:
        [(status,)] = con.sql(
            f"SELECT status FROM media_files WHERE id = {row['file_id']}"
        ).fetchall()
        [(deleted_at, final_action)] = con.sql(
            f"SELECT deleted_permanently_at, final_action FROM pending_deletions "
            f"WHERE id = {row['plan_id']}"
        ).fetchall()
    assert status == "deleted" and deleted_at is not None and final_action == "deleted"
    # The kept episode never moved.
    assert (
        settings.library_roots[0].path / "TV/Red Dwarf/Season 01/RedDwarf_TVLab_s01e01.mkv"
    ).exists()
