"""Issue 19 item 2: scans chosen as full, incremental or one folder, with real files and real
runs, from the CLI; and the request rules the run tags go through."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
import yaml

from mediavault_assets.cli import main
from mediavault_assets.demo.media_factory import VideoSpec, make_video
from mediavault_assets.domain.scan_modes import (
    ScanRequest,
    ScanRequestError,
    folders_from_tag,
    locate_folder,
    parse_scan_request,
)
from mediavault_assets.orchestration import load_definitions, prepare_dagster_home

KEEPER = "Movies/Heat (1995)/Heat.1995.1080p.mkv"
RONIN = "Movies/Ronin (1998)/Ronin.1998.mkv"
COPY = "downloads/Heat.1995.360p.mkv"
EXACT_COPY = "backup/Heat.1995.1080p.mkv"  # the keeper's bytes again: same size, so hashed


@dataclass
class Scans:
    """One library taken through an incremental refresh, a path scan and a full folder scan,
    with what the warehouse held after each and what each command printed."""

    config: Path
    videos: Path
    docker: Path
    states: list[dict[str, pl.DataFrame]] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)

    def refresh(self, *args: str) -> None:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            outcome = main(["refresh", *args])
        assert outcome == 0, out.getvalue()
        self.printed.append(out.getvalue())
        self.states.append({name: query(self.config, sql) for name, sql in STATE_SQL.items()})


STATE_SQL = {
    "inventory": "SELECT * FROM inventory_files ORDER BY file_id",
    "times": "SELECT i.relative_path, p.probed_at, h.hashed_at, h.md5_hash FROM inventory_files i "
    "JOIN file_probes p USING (file_id) LEFT JOIN file_hashes h USING (file_id) ORDER BY 1",
    "plan": "SELECT file_id, kept_file_id, deletion_category, auto_approved "
    "FROM pending_deletions ORDER BY 1",
    "scans": "SELECT scan_type, nas_paths, files_found, files_new, files_deleted, status "
    "FROM scan_history ORDER BY scan_started_at",
}
RONIN_FOLDER = "Movies/Ronin (1998)"


def hashing(printed: str) -> str:
    """The file_hashes line of a refresh's output."""
    [line] = [line for line in printed.splitlines() if "file_hashes:" in line]
    return line


def query(config: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(config.parent / "data" / "warehouse.duckdb"), read_only=True) as con:
        return con.sql(sql).pl()


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scans]:
    base = tmp_path_factory.mktemp("scan_modes")
    videos, docker = base / "volume1" / "videos", base / "volume1" / "docker"
    make_video(videos / KEEPER, VideoSpec(width=1920, height=1080, seed=1))
    make_video(videos / RONIN, VideoSpec(seed=3))
    make_video(docker / COPY, VideoSpec(width=640, height=360, seed=2))
    (docker / EXACT_COPY).parent.mkdir(parents=True)
    shutil.copyfile(videos / KEEPER, docker / EXACT_COPY)
    config = base / "mediavault.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "warehouse_path": str(base / "data" / "warehouse.duckdb"),
                "app_store_path": str(base / "data" / "review.sqlite"),
                "cache_dir": str(base / "data" / "cache"),
                "staging_root": str(base / "volume1" / "duplicates_before_purge"),
                "library_roots": [
                    {
                        "key": "videos",
                        "path": str(videos),
                        "media_type": "movie",
                        "nas_path": "/v1/videos",
                    },
                    {"key": "docker", "path": str(docker), "media_type": "movie"},
                ],
            }
        )
    )
    saved = {name: os.environ.pop(name, None) for name in ("DAGSTER_HOME", "MEDIAVAULT_CONFIG")}
    os.environ["MEDIAVAULT_CONFIG"] = str(config)
    prepare_dagster_home(base / "dagster_home")
    try:
        run = Scans(config, videos, docker)
        run.refresh()  # incremental, every root
        # On disk, elsewhere in the videos root: the keeper went away and a new film came. A
        # path scan of another folder must see neither; its own folder is scanned for real.
        (videos / KEEPER).unlink()
        make_video(videos / "Movies/Alien (1979)/Alien.1979.mkv", VideoSpec(seed=5))
        (videos / RONIN).unlink()
        make_video(videos / RONIN_FOLDER / "Ronin.1998.720p.mkv", VideoSpec(seed=4))
        run.refresh("--path", str(videos / RONIN_FOLDER))
        run.refresh("--mode", "full", "--path", str(docker / "backup"))
        yield run
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def test_a_path_scan_leaves_the_rest_of_the_root_and_the_plan_as_they_were(
    scans: Scans,
) -> None:
    before, after = scans.states[0], scans.states[1]
    outside = ~pl.col("relative_path").str.starts_with(f"{RONIN_FOLDER}/")
    # Untouched, to the last column: none looks vanished, the new film is not picked up.
    assert after["inventory"].filter(outside).equals(before["inventory"].filter(outside))
    assert after["inventory"].filter(~outside)["relative_path"].to_list() == [
        f"{RONIN_FOLDER}/Ronin.1998.720p.mkv"
    ]
    assert after["scans"].row(-1, named=True) == {
        "scan_type": "path",
        "nas_paths": [f"/v1/videos/{RONIN_FOLDER}"],
        "files_found": 1,
        "files_new": 1,
        "files_deleted": 1,
        "status": "completed",
    }
    # The analysis after it saw every file of the root: the plan stands as it was.
    assert before["plan"].height == 2
    assert after["plan"].equals(before["plan"])
    assert "Refresh complete." in scans.printed[1]


def test_a_full_scan_probes_and_hashes_unchanged_files_again(scans: Scans) -> None:
    first, incremental, full = (state["times"] for state in scans.states)
    hashed = first.filter(pl.col("md5_hash").is_not_null())["relative_path"].to_list()
    assert sorted(hashed) == sorted([KEEPER, EXACT_COPY])  # the one size collision
    # Incremental scans (the path scan and its analysis) read no unchanged file again.
    kept = incremental.join(first, on="relative_path", suffix="_before")
    assert kept.height == 3 and kept.select(  # Ronin was renamed
        (pl.col("probed_at") == pl.col("probed_at_before")).all(),
        (pl.col("hashed_at") == pl.col("hashed_at_before")).all(),
    ).row(0) == (True, True)
    assert "files_read=0," in hashing(scans.printed[1])
    # The full scan of docker/backup re-read its unchanged file, and only that one.
    again = full.join(incremental, on="relative_path", suffix="_before")
    changed = again.filter(pl.col("probed_at") > pl.col("probed_at_before"))
    assert changed["relative_path"].to_list() == [EXACT_COPY]
    [copy] = again.filter(pl.col("relative_path") == EXACT_COPY).to_dicts()
    assert (
        copy["hashed_at"] > copy["hashed_at_before"] and copy["md5_hash"] == copy["md5_hash_before"]
    )
    assert "files_read=1," in hashing(scans.printed[2])
    assert full["relative_path"].to_list() == incremental["relative_path"].to_list()
    assert scans.states[2]["scans"].row(-1, named=True)["nas_paths"] == [
        str(scans.docker / "backup")
    ]


def test_every_scan_records_its_mode(scans: Scans) -> None:
    assert scans.states[2]["scans"]["scan_type"].to_list() == [
        "incremental",
        "incremental",
        "path",
        "path",
    ]


def test_a_path_outside_the_roots_or_missing_is_refused_before_any_run(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert main(["refresh", "--path", str(elsewhere)]) == 2
    error = capsys.readouterr().err
    assert f"{elsewhere} is not inside a configured library root" in error
    assert "videos: " in error and "nothing was scanned" in error
    missing = tmp_path / "volume1" / "videos" / "Movies" / "Dune"
    assert main(["refresh", "--path", str(missing)]) == 2
    assert f"{missing} is not a folder in library root 'videos'" in capsys.readouterr().err
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()  # no run started


def test_scan_requests_from_run_tags() -> None:
    assert parse_scan_request(None) == ScanRequest("incremental", ())
    full = parse_scan_request("full", folders_from_tag('["Movies/", "Movies/Heat", "TV"]'))
    assert full.folders == ("Movies", "TV") and full.scan_type == "path" and full.reprobe_all
    assert parse_scan_request("incremental", folders_from_tag("Movies/Heat")).folders == (
        "Movies/Heat",
    )
    assert ScanRequest(folders=("Movies",)).covers("Movies/Heat.mkv")
    assert not ScanRequest(folders=("Movies",)).covers("Movies 2/Heat.mkv")
    for mode, tag in [("quick", None), (None, "../etc"), (None, '["a", 1]'), (None, "[oops")]:
        with pytest.raises(ScanRequestError):
            parse_scan_request(mode, folders_from_tag(tag))


def test_a_folder_is_located_in_the_deepest_root_by_local_or_nas_path() -> None:
    roots = {"videos": ("/data/videos", "/volume1/videos"), "tv": ("/data/videos/TV", "")}
    assert locate_folder("/volume1/videos/Movies", roots) == ("videos", "Movies")
    assert locate_folder("/data/videos/TV/Lost", roots) == ("tv", "Lost")
    assert locate_folder("/data/videos", roots) == ("videos", "")
    with pytest.raises(ScanRequestError, match="not inside a configured library root"):
        locate_folder("/data/videosX/Movies", roots)


def test_a_bad_tag_from_the_launchpad_fails_the_scan_with_its_reason(scans: Scans) -> None:
    job = load_definitions().resolve_job_def("scan_library_root")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            partition_key="docker",
            tags={"mediavault/scan_paths": "../videos"},
            raise_on_error=False,
        )
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "inventory.walk_library_root"
    message = failure.step_failure_data.error.message
    assert "'../videos' is not a folder inside the root" in message
    assert "mediavault/scan_paths" in message
    # The failure hook ran (it closes a scan's row when one was opened) without an error.
    hooks = {e.event_type_value for e in result.all_events if "HOOK" in e.event_type_value}
    assert hooks == {"HOOK_COMPLETED"}
    assert query(scans.config, "SELECT count(*) AS n FROM scan_history")["n"][0] == 4
