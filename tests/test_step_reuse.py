"""A no-change refresh reuses the analysis; a decision, a setting or a touched table re-runs it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from mediavault_assets import reviewing
from mediavault_assets.demo.media_factory import VideoSpec, make_video
from mediavault_assets.orchestration import prepare_dagster_home, refresh
from mediavault_assets.settings import load_settings
from mediavault_assets.warehouse import Warehouse
from tests.conftest import write_config


def _latest(key: str) -> dict[str, object]:
    with dg.DagsterInstance.get() as instance:
        (record,) = instance.fetch_materializations(dg.AssetKey(key), limit=1).records
        return {k: v.value for k, v in record.asset_materialization.metadata.items()}


def _refresh(config: Path) -> None:
    outcomes = refresh(load_settings(config), config, echo=lambda _: None)
    assert all(o.success for o in outcomes), [o.summary for o in outcomes]


def test_unchanged_inputs_reuse_the_analysis_and_any_change_runs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "videos"
    make_video(root / "Heat (1995)" / "Heat.1995.1080p.mkv", VideoSpec(width=320, height=240))
    (root / "Heat (1995)" / "Heat.1995.720p.mkv").write_bytes(
        (root / "Heat (1995)" / "Heat.1995.1080p.mkv").read_bytes()
    )
    config = write_config(tmp_path, {"videos": root})
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    prepare_dagster_home(tmp_path / "dagster_home")
    settings = load_settings(config)
    warehouse = Warehouse(path=str(settings.warehouse_path))

    _refresh(config)
    first = _latest("deletion_plan")
    assert first["reused"] is False and first["plan_rows"] == 1

    snapshot = warehouse.snapshot_path
    published = snapshot.stat().st_mtime_ns
    roots_updated = warehouse.frame("SELECT updated_at FROM library_roots")
    _refresh(config)
    # The root's settings did not change, so neither does its row.
    assert warehouse.frame("SELECT updated_at FROM library_roots").equals(roots_updated)
    again = _latest("deletion_plan")
    assert again["reused"] is True and again["plan_rows"] == 1
    assert _latest("quality_scores")["reused"] is True
    assert _latest("duplicate_groups")["groups"] == 1
    hashes = _latest("file_hashes")
    assert hashes["reused"] is True and hashes["identical_groups"] == 1
    # The scans wrote their scan_history rows, so the snapshot was published again.
    assert snapshot.stat().st_mtime_ns > published

    # A person's decision in the app (the review store) must reach the plan.
    (plan_id,) = warehouse.frame("SELECT id FROM pending_deletions").rows()[0]
    reviewing.approve(settings, [plan_id], reviewer="pat")
    _refresh(config)
    decided = _latest("deletion_plan")
    assert decided["reused"] is False
    assert warehouse.frame("SELECT reviewer FROM pending_deletions").item() == "pat"

    # A setting the plan depends on.
    config.write_text(config.read_text() + "review_quality_difference: 5\n")
    _refresh(config)
    assert _latest("deletion_plan")["reused"] is False

    # The plan's own table changed behind its back (a restored backup, a hand edit).
    _refresh(config)
    assert _latest("deletion_plan")["reused"] is True
    warehouse.execute("DELETE FROM pending_deletions")
    _refresh(config)
    assert _latest("deletion_plan")["reused"] is False
    assert warehouse.frame("SELECT count(*) FROM pending_deletions").item() == 1

    # A copy that is no copy any more (same size, other bytes): the hashes are made again.
    copy = root / "Heat (1995)" / "Heat.1995.720p.mkv"
    data = bytearray(copy.read_bytes())
    data[-1] ^= 0xFF
    copy.write_bytes(bytes(data))
    _refresh(config)
    hashes = _latest("file_hashes")
    assert hashes["reused"] is False and hashes["identical_groups"] == 0


def test_publish_skips_an_unchanged_warehouse(warehouse: Warehouse) -> None:
    snapshot = warehouse.publish_snapshot()
    first = snapshot.stat().st_mtime_ns
    assert warehouse.publish_snapshot().stat().st_mtime_ns == first
    # Opening the warehouse (each step migrates) is not a write.
    warehouse.migrate()
    assert warehouse.publish_snapshot().stat().st_mtime_ns == first
    warehouse.execute("CREATE TABLE written_since (a INTEGER)")
    assert warehouse.publish_snapshot().stat().st_mtime_ns > first
