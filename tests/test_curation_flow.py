"""Ratings and keywords as a person uses them: the CLI, refreshes, a rename, staging and back,
export and import. Real files, real refreshes, the real `mediavault` command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from mediavault_assets.chat.safe_sql import SafeSql
from mediavault_assets.demo.media_factory import VideoSpec, make_video
from mediavault_assets.orchestration import prepare_dagster_home, refresh, run_job
from mediavault_assets.reviewing import approve, awaiting_review
from mediavault_assets.settings import Settings, load_settings
from mediavault_assets.snapshot import read_snapshot
from mediavault_assets.warehouse import snapshot_path_for

pytestmark = pytest.mark.slow

KEEPER = "Movies/Heat (1995)/Heat.1995.1080p.mkv"
COPY = "downloads/Heat.1995.360p.mkv"


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    prepare_dagster_home(tmp_path / "dagster_home")
    videos, docker = tmp_path / "volume1" / "videos", tmp_path / "volume1" / "docker"
    make_video(videos / KEEPER, VideoSpec(width=1920, height=1080, seed=1))
    make_video(docker / COPY, VideoSpec(width=640, height=360, seed=2))
    make_video(videos / "Movies/Ronin (1998)/Ronin.1998.mkv", VideoSpec(seed=3))
    config = {
        "warehouse_path": str(tmp_path / "data" / "warehouse.duckdb"),
        "app_store_path": str(tmp_path / "data" / "review.sqlite"),
        "cache_dir": str(tmp_path / "data" / "cache"),
        "staging_root": str(tmp_path / "volume1" / "duplicates_before_purge"),
        "auto_approve_enabled": True,
        "review_quality_difference": 5,
        "auto_approve_quality_difference": 10,
        "library_roots": [
            {"key": "videos", "path": str(videos), "media_type": "movie"},
            {"key": "docker", "path": str(docker), "media_type": "movie"},
        ],
    }
    path = tmp_path / "mediavault.yaml"
    path.write_text(yaml.safe_dump(config))
    yield path
    os.environ.pop("DAGSTER_HOME", None)


def mediavault(config: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "mediavault_assets.cli", *args],
        env={**os.environ, "MEDIAVAULT_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done


def _refreshed(settings: Settings, config: Path) -> None:
    assert all(o.success for o in refresh(settings, config, echo=lambda _: None))


def _file_id(settings: Settings, relative_path: str) -> int:
    rows = read_snapshot(
        settings,
        "SELECT file_id FROM inventory_files WHERE relative_path = $p",
        {"p": relative_path},
    )
    return rows["file_id"][0]


def _search(config: Path, *args: str) -> list[dict]:
    return json.loads(mediavault(config, "search", "--json", *args).stdout)


def test_ratings_and_keywords_survive_refreshes_renames_staging_and_export(
    library: Path, tmp_path: Path
) -> None:
    settings = load_settings(library)
    _refreshed(settings, library)
    [row] = awaiting_review(settings).to_dicts()
    assert row["auto_approved"]  # unrated, far worse: approved automatically
    copy_id, keeper_id = _file_id(settings, COPY), _file_id(settings, KEEPER)

    mediavault(library, "rate", str(copy_id), "2")
    assert "-1 to 5" in mediavault(library, "rate", str(copy_id), "9", ok=False).stderr
    assert "no file 12345" in mediavault(library, "rate", "12345", "3", ok=False).stderr
    mediavault(library, "tag", str(keeper_id), "Favourite", "Al Pacino")
    mediavault(library, "tag", str(copy_id), "bad rip")
    # Search sees the store at once, before any refresh.
    assert [r["file_id"] for r in _search(library, "pacino")] == [keeper_id]
    assert [r["file_id"] for r in _search(library, "--min-score", "1")] == [copy_id]
    both = _search(library, "--keyword", "favourite", "--keyword", "bad rip")
    assert {r["file_id"] for r in both} == {keeper_id, copy_id}
    assert _search(library, "--keyword", "favourite", "--keyword", "bad rip", "--all") == []
    assert {r["file_id"] for r in _search(library, "--keyword", "1080p", "--type", "auto")} == {
        keeper_id
    }

    _refreshed(settings, library)
    [row] = awaiting_review(settings).to_dicts()
    assert not row["auto_approved"]
    assert "You rated this copy 2/5: a person decides." in row["reason"]
    seed = read_snapshot(
        settings,
        "SELECT id, score, directory, extension, file_type FROM media_files ORDER BY id",
    )
    assert dict(zip(seed["id"], seed["score"], strict=True))[copy_id] == 2
    assert set(seed["file_type"]) == {"video"} and set(seed["extension"]) == {"mkv"}
    keywords = read_snapshot(
        settings,
        "SELECT media_file_id, keyword, keyword_type FROM media_keywords ORDER BY ALL",
    ).rows()
    assert (keeper_id, "al pacino", "user") in keywords
    assert (keeper_id, "1080p", "auto") in keywords and (keeper_id, "audio:en", "auto") in keywords
    assert read_snapshot(settings, "SELECT count(*) AS n FROM media_metadata")["n"][0] == 3
    # The chat's read-only sandbox sees them too.
    chat = SafeSql(snapshot_path_for(settings.warehouse_path)).run(
        "SELECT id, score, keywords FROM chat_media_files "
        "WHERE list_contains(keywords, 'favourite') OR score <> 0 ORDER BY score"
    )
    assert [(r["id"], r["score"]) for r in chat.records()] == [(keeper_id, 0), (copy_id, 2)]
    assert "al pacino" in chat.records()[0]["keywords"]

    # The owner renames the keeper's folder: its keywords follow the file.
    videos = settings.root("videos").path
    renamed = "Movies/Heat (1995) [Director]/Heat.1995.1080p.mkv"
    (videos / renamed).parent.mkdir(parents=True)
    os.rename(videos / KEEPER, videos / renamed)
    _refreshed(settings, library)
    new_id = _file_id(settings, renamed)
    assert [r["file_id"] for r in _search(library, "favourite")] == [new_id]

    # Staged and restored: the copy keeps its rating.
    approve(settings, [awaiting_review(settings)["plan_id"][0]], reviewer="ann")
    assert run_job(library, "stage_approved", echo=lambda _: None).output["counts"] == {"moved": 1}
    _refreshed(settings, library)
    restored = run_job(
        library,
        "restore_staged",
        op_config={"restore_files": {"restore_all": True, "restored_by": "ann"}},
        echo=lambda _: None,
    )
    assert restored.output["counts"] == {"restored": 1}
    _refreshed(settings, library)
    assert [r["score"] for r in _search(library, "--min-score", "1")] == [2]

    # Export, clear, import: the same ratings and keywords come back.
    for fmt in ("json", "csv"):
        exported = tmp_path / f"curation.{fmt}"
        mediavault(library, "export-curation", "--format", fmt, "--output", str(exported))
        mediavault(library, "rate", str(copy_id), "0")
        mediavault(library, "tag", str(copy_id), "bad rip", "--remove")
        mediavault(library, "tag", str(new_id), "favourite", "al pacino", "--remove")
        assert _search(library, "--min-score", "1") == []
        mediavault(library, "import-curation", str(exported))
        again = mediavault(library, "export-curation", "--format", fmt).stdout
        assert again == exported.read_text(), fmt
    assert json.loads((tmp_path / "curation.json").read_text()) == [
        {
            "root_key": "docker",
            "relative_path": COPY,
            "score": 2,
            "keywords": ["bad rip"],
            "prompt_keywords": [],
            "workflow_keywords": [],
        },
        {
            "root_key": "videos",
            "relative_path": renamed,
            "score": 0,
            "keywords": ["al pacino", "favourite"],
            "prompt_keywords": [],
            "workflow_keywords": [],
        },
    ]
    # A sidecar-style import with a file that is not there: reported, the rest goes in.
    sidecar = tmp_path / "scores.csv"
    sidecar.write_text(
        "root_key,relative_path,score,keywords\n"
        "videos,Movies/Ronin (1998)/Ronin.1998.mkv,4,car chase;de niro\n"
        "videos,Movies/Gone.mkv,3,\n"
        "videos,Movies/Heat (1995) [Director]/Heat.1995.1080p.mkv,11,\n"
    )
    done = mediavault(library, "import-curation", str(sidecar), ok=False)
    assert "for 1 file(s); 2 row(s) skipped" in done.stdout
    assert "Movies/Gone.mkv" in done.stderr and "-1 to 5" in done.stderr
    assert [r["relative_path"] for r in _search(library, "car", "chase")] == [
        "Movies/Ronin (1998)/Ronin.1998.mkv"
    ]
