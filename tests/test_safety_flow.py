"""Issue 21 end to end, with real files, real scans and real staging runs: an approval lapses
when its keeper leaves the library, a root that is not mounted keeps its inventory, and at purge
time a person's later "keep" beats auto-approval."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from mediavault_assets.demo.media_factory import VideoSpec, make_video
from mediavault_assets.orchestration import prepare_dagster_home, refresh, run_job
from mediavault_assets.review_store import FileSignature, ReviewStore
from mediavault_assets.reviewing import approve, awaiting_review
from mediavault_assets.settings import Settings, load_settings
from mediavault_assets.snapshot import read_snapshot

pytestmark = pytest.mark.slow

KEEPER = "Movies/Heat (1995)/Heat.1995.1080p.mkv"
COPY = "downloads/Heat.1995.360p.mkv"


def _library(tmp_path: Path, **settings: object) -> Path:
    videos, docker = tmp_path / "volume1" / "videos", tmp_path / "volume1" / "docker"
    make_video(videos / KEEPER, VideoSpec(width=1920, height=1080, seed=1))
    make_video(docker / COPY, VideoSpec(width=640, height=360, seed=2))
    make_video(videos / "Movies/Ronin (1998)/Ronin.1998.mkv", VideoSpec(seed=3))
    config = {
        "warehouse_path": str(tmp_path / "data" / "warehouse.duckdb"),
        "app_store_path": str(tmp_path / "data" / "review.sqlite"),
        "cache_dir": str(tmp_path / "data" / "cache"),
        "staging_root": str(tmp_path / "volume1" / "duplicates_before_purge"),
        "library_roots": [
            {"key": "videos", "path": str(videos), "media_type": "movie"},
            {"key": "docker", "path": str(docker), "media_type": "movie"},
        ],
        **settings,
    }
    path = tmp_path / "mediavault.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    prepare_dagster_home(tmp_path / "dagster_home")
    yield
    os.environ.pop("DAGSTER_HOME", None)


def _refresh(settings: Settings, path: Path) -> list[bool]:
    return [o.success for o in refresh(settings, path, echo=lambda _: None)]


def _copy_row(settings: Settings) -> dict:
    plan = awaiting_review(settings)
    [row] = plan.filter(plan["file"].str.ends_with("360p.mkv")).to_dicts()
    return row


def test_an_approval_lapses_when_its_keeper_is_deleted(tmp_path: Path, home: None) -> None:
    path = _library(tmp_path)
    settings = load_settings(path)
    assert all(_refresh(settings, path))
    approve(settings, [_copy_row(settings)["plan_id"]], reviewer="ann")
    (settings.root("videos").path / KEEPER).unlink()  # the kept copy is gone (a dead disk)
    assert all(_refresh(settings, path))  # regrouped without it: the copy is alone now
    staged = run_job(path, "stage_approved")
    assert staged.success and staged.output["counts"] == {}
    assert (settings.root("docker").path / COPY).exists()


def test_an_unmounted_root_keeps_its_inventory_and_its_copies_guard(
    tmp_path: Path, home: None
) -> None:
    path = _library(tmp_path)
    settings = load_settings(path)
    assert all(_refresh(settings, path))
    approve(settings, [_copy_row(settings)["plan_id"]], reviewer="ann")
    videos = settings.root("videos").path
    before = read_snapshot(settings, "SELECT * FROM inventory_files WHERE root_key = 'videos'")

    # The share is not mounted: its mount point is an empty folder.
    shutil.move(videos, tmp_path / "unmounted")
    videos.mkdir()
    outcomes = refresh(settings, path, echo=lambda _: None)
    [scan_videos] = [o for o in outcomes if o.partition == "videos"]
    assert not scan_videos.success and "is the share mounted?" in scan_videos.summary
    after = read_snapshot(settings, "SELECT * FROM inventory_files WHERE root_key = 'videos'")
    assert after.equals(before)
    status = read_snapshot(
        settings, "SELECT status FROM scan_history WHERE root_key = 'videos' ORDER BY id"
    )["status"].to_list()
    assert "failed" in status
    # The group still stands, but its keeper is not on disk: nothing moves.
    assert run_job(path, "stage_approved").output["counts"] == {}
    assert (settings.root("docker").path / COPY).exists()

    videos.rmdir()
    shutil.move(tmp_path / "unmounted", videos)  # mounted again: the decision applies
    assert run_job(path, "stage_approved").output["counts"] == {"moved": 1}


def test_a_later_keep_beats_auto_approval_at_purge_time(tmp_path: Path, home: None) -> None:
    path = _library(
        tmp_path,
        auto_approve_enabled=True,
        review_quality_difference=5,
        auto_approve_quality_difference=10,
        retention_days=0,
        allow_purge_without_retention=True,
    )
    settings = load_settings(path)
    assert all(_refresh(settings, path))
    row = _copy_row(settings)
    assert row["auto_approved"], row["reason"]
    assert run_job(path, "stage_approved").output["counts"] == {"moved": 1}
    # The owner looks at the staged copy and keeps it (the Review page's "Reject selected").
    signature = FileSignature(
        row["file_id"], row["group_id"], row["plan_id"], row["file_size"], row["mtime_ns"], 0
    )
    ReviewStore(settings.app_store_path).reject([signature], reviewer="ann")
    purged = run_job(path, "purge_staged")
    assert purged.success and purged.output["counts"] == {"skipped": 1}
    assert [p.name for p in settings.staging_root.rglob("*.mkv")] == ["Heat.1995.360p.mkv"]
    assert ReviewStore(settings.app_store_path).decisions()[row["file_id"]].decision == "keep"
