"""The review app's snapshot after a scan: probes publish only when changed, then at once."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from mediavault_assets.demo.media_factory import VideoSpec, make_video
from mediavault_assets.orchestration import load_definitions, prepare_dagster_home, refresh
from mediavault_assets.settings import Settings


def _scan(root: str) -> None:
    load_definitions.cache_clear()
    with dg.DagsterInstance.get() as instance:
        result = (
            load_definitions()
            .resolve_job_def("scan_library_root")
            .execute_in_process(instance=instance, partition_key=root)
        )
    assert result.success


def _snapshot_heights(settings: Settings) -> list[int]:
    snapshot = settings.warehouse_path.with_name(settings.warehouse_path.stem + ".snapshot.duckdb")
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT height FROM file_probes").fetchall()]


def test_a_rescan_publishes_new_probes_before_any_analysis(
    tmp_path: Path, library_dirs: dict[str, Path], config_file: Path, settings: Settings
) -> None:
    prepare_dagster_home(tmp_path / "dagster_home")
    clip = library_dirs["videos"] / "Heat (1995)" / "Heat.1995.mkv"
    make_video(clip, VideoSpec(width=320, height=240))
    assert all(o.success for o in refresh(settings, config_file, echo=lambda _: None))
    assert _snapshot_heights(settings) == [240]

    make_video(clip, VideoSpec(width=640, height=480))  # a better copy under the same name
    _scan("videos")
    assert _snapshot_heights(settings) == [480]  # the probe step published it, not the analysis
