"""The same assets under the executor a bigger deployment would pick: a process per step.

Runs started by the Dagster UI use `run_executor` from the settings; this is what
`run_executor: multiprocess` (README, "Beyond one machine") does with a real scan.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from mediavault_assets.demo.media_factory import AudioSpec, VideoSpec, make_video
from mediavault_assets.orchestration import prepare_dagster_home, refresh
from mediavault_assets.run_tags import ORIGIN_TAG
from mediavault_assets.settings import load_settings
from mediavault_assets.warehouse import Warehouse
from tests.conftest import write_config


def test_a_scan_runs_with_the_multiprocess_executor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "videos"
    make_video(root / "Heat (1995)" / "Heat.1995.1080p.mkv", VideoSpec())
    config = write_config(tmp_path, {"videos": root}, run_executor="multiprocess")
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
    home = prepare_dagster_home(tmp_path / "dagster_home")
    # A first refresh (the CLI runs in-process) registers the root's partition.
    assert all(o.success for o in refresh(load_settings(config), config, echo=lambda _: None))
    make_video(
        root / "Alien (1979)" / "Alien.1979.720p.mp4",
        VideoSpec(container="mp4", audio=(AudioSpec("aac", "ger"),)),
    )

    env = {**os.environ, "MEDIAVAULT_CONFIG": str(config), "DAGSTER_HOME": str(home)}
    done = subprocess.run(
        [
            sys.executable, "-m", "dagster", "job", "execute",
            "-m", "mediavault_assets.definitions",
            "-j", "scan_library_root",
            "--tags", json.dumps({"dagster/partition": "videos"}),
        ],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    with dg.DagsterInstance.get() as instance:
        (run,) = [
            r for r in instance.get_runs() if r.tags.get("dagster/partition") == "videos"
            and r.job_name == "scan_library_root" and r.status == dg.DagsterRunStatus.SUCCESS
            and ORIGIN_TAG not in r.tags
        ]  # fmt: skip
        messages = [e.message for e in instance.all_logs(run.run_id)]
    assert any("using multiprocess executor" in m for m in messages)
    assert len({m for m in messages if "Launching subprocess for" in m}) >= 6

    found = Warehouse(path=str(load_settings(config).warehouse_path)).frame(
        "SELECT i.relative_path, p.video_codec, p.audio_languages FROM inventory_files i "
        "JOIN file_probes p USING (file_id) ORDER BY 1"
    )
    assert found["relative_path"].to_list() == [
        "Alien (1979)/Alien.1979.720p.mp4",
        "Heat (1995)/Heat.1995.1080p.mkv",
    ]
    assert found["audio_languages"].to_list()[0] == ["de"]
