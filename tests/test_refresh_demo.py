"""`mediavault refresh` on the demo library, asserted against the generator's record.

The session's `refreshed_demo` (two refreshes, in-process runs against a real Dagster instance in
a temp DAGSTER_HOME) feeds every test here; the second refresh shows the incremental path.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from mediavault_assets.demo.demo_library import EDITIONS, EXTRAS, STACKED_PARTS
from mediavault_assets.domain.naming import normalize_title
from tests.conftest import Refreshed

pytestmark = pytest.mark.slow


def _metadata(home: Path, run_id: str, asset: str) -> dict:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = instance.fetch_materializations(dg.AssetKey(asset), limit=50).records
        for record in records:
            if record.run_id == run_id:
                return {k: v.value for k, v in record.asset_materialization.metadata.items()}
    raise AssertionError(f"no materialization of {asset} in run {run_id}")


def test_runs_succeed_and_land_in_the_instance(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    assert all(o.success for o in refreshed.first + refreshed.second)
    assert [o.job for o in refreshed.first] == [
        "scan_library_root",
        "scan_library_root",
        "analyze_library",
    ]
    with dg.DagsterInstance.from_config(str(refreshed.home)) as instance:
        run_ids = {r.run_id for r in instance.get_runs()}
        assert {o.run_id for o in refreshed.first + refreshed.second} <= run_ids
        assert sorted(instance.get_dynamic_partitions("library_roots")) == ["docker", "videos"]
        checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("deletion_plan"), "no_group_loses_last_copy")]
        )
        assert checks, "the blocking promise checks ran"


def test_inventory_matches_the_record(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    expected = {(f.root, f.relative_path) for f in refreshed.record.videos()}
    rows = refreshed.query("SELECT root_key, relative_path FROM media_files")
    assert set(rows.iter_rows()) == expected
    skipped = [f for f in refreshed.record.videos(include_skipped=True) if f.skipped]
    assert skipped and not {(f.root, f.relative_path) for f in skipped} & set(rows.iter_rows())


def test_probes_match_the_record(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    for demo in refreshed.record.videos():
        row = refreshed.file(demo.root, demo.relative_path)
        if demo.corrupt == "zero_byte":
            assert row["probe_error"] and row["status"] == "error"
            continue
        if demo.corrupt == "truncated":
            assert row["integrity_error"] and row["status"] == "error"
            continue
        media = demo.media
        assert row["status"] == "active", demo.ref
        assert (row["video_codec"], row["width"], row["height"]) == (
            media.video_codec,
            media.width,
            media.height,
        ), demo.ref
        assert row["audio_languages"] == list(media.audio_languages), demo.ref
        assert sorted(row["subtitle_languages"]) == sorted(
            set(media.subtitle_languages) | set(media.sidecar_languages)
        ), demo.ref
        assert row["hdr_type"] == media.hdr_type
        assert row["has_english_audio"] == ("en" in media.audio_languages)


def test_parsed_names_match_the_record(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    for demo in refreshed.record.videos():
        row = refreshed.file(demo.root, demo.relative_path)
        identity = demo.identity
        assert row["media_type"] == identity.media_type, demo.ref
        assert row["season_number"] == identity.season, demo.ref
        assert tuple(row["episodes"]) == identity.episodes, demo.ref
        assert row["edition"] == identity.edition, demo.ref
        assert row["part"] == identity.part, demo.ref
        assert row["extra_kind"] == identity.extra_kind, demo.ref
        if identity.year:
            assert row["year"] == identity.year, demo.ref
        assert row["title"].strip()
    # Seed 002's differently styled names meet on one title.
    red_dwarf = refreshed.query(
        "SELECT DISTINCT title FROM media_files WHERE filename ILIKE '%dwarf%'"
    )
    assert red_dwarf["title"].to_list() == ["Red Dwarf"]
    assert normalize_title("RedDwarf") == normalize_title("Red.Dwarf") == "red dwarf"


def test_hashes_only_where_sizes_collide(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    identical = [f for f in refreshed.record.videos() if f.byte_identical_group]
    md5s = {refreshed.file(f.root, f.relative_path)["md5_hash"] for f in identical}
    assert len(identical) == 2 and len(md5s) == 1 and None not in md5s
    hashed = refreshed.query("SELECT count(*) AS n FROM media_files WHERE md5_hash IS NOT NULL")
    assert hashed["n"][0] == 2  # every other size is unique (hardlinks are one file)


def test_scan_history_and_errors(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    history = refreshed.query(
        "SELECT root_key, files_found, files_new, files_updated, files_deleted, errors_count, "
        "status, triggered_by, scan_type FROM scan_history ORDER BY scan_started_at"
    )
    assert set(history["scan_type"]) == {"incremental"}  # `refresh` without --mode
    videos = sum(1 for f in refreshed.record.videos() if f.root == "videos")
    first = history.filter(pl.col("root_key") == "videos").row(0, named=True)
    assert first["files_found"] == first["files_new"] == videos
    assert first["status"] == "completed" and first["triggered_by"] == "demo"
    last = history.filter(pl.col("root_key") == "videos").row(-1, named=True)
    assert (last["files_new"], last["files_updated"], last["files_deleted"]) == (0, 0, 0)
    assert last["triggered_by"] == "manual"
    # Every scan ran to its end (scan_outcome closed it), with the files it could not read.
    assert set(history["status"]) == {"completed"}
    [details] = refreshed.query(
        "SELECT error_details FROM scan_history WHERE root_key = 'videos' "
        "ORDER BY scan_started_at DESC LIMIT 1"
    )["error_details"].to_list()
    reported = {e["path"]: e["error"] for e in json.loads(details)}
    broken = refreshed.query(
        "SELECT relative_path FROM inventory_files JOIN file_probes USING (file_id) "
        "WHERE inventory_files.root_key = 'videos' "
        "AND (probe_error IS NOT NULL OR integrity_error IS NOT NULL)"
    )["relative_path"].to_list()
    assert broken and set(broken) <= set(reported) and all(reported.values())
    assert last["errors_count"] == len(reported)


def test_second_refresh_reads_and_probes_nothing(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    second = {(o.job, o.partition): o for o in refreshed.second}
    hashes = _metadata(refreshed.home, second[("analyze_library", None)].run_id, "file_hashes")
    assert hashes["bytes_read"] == 0 and hashes["files_read"] == 0
    probes = _metadata(refreshed.home, second[("scan_library_root", "videos")].run_id, "probes")
    assert probes["files_probed"] == 0
    names = _metadata(
        refreshed.home, second[("scan_library_root", "videos")].run_id, "parsed_names"
    )
    assert names["names_parsed"] == 0


def _groups_of(refreshed: Refreshed, root: str, relative_path: str) -> list[int]:
    file_id = refreshed.file(root, relative_path)["id"]
    rows = refreshed.query(f"SELECT group_id FROM duplicate_members WHERE file_id = {file_id}")
    return rows["group_id"].to_list()


def test_never_grouped_together(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    for scenario in (STACKED_PARTS, EDITIONS):
        files = refreshed.record.with_scenario(scenario)
        groups = [set(_groups_of(refreshed, f.root, f.relative_path)) for f in files]
        assert not set.intersection(*groups), scenario
    for extra in refreshed.record.with_scenario(EXTRAS):
        assert _groups_of(refreshed, extra.root, extra.relative_path) == []


def _plan(refreshed: Refreshed) -> pl.DataFrame:
    return refreshed.query(
        "SELECT m.root_key, m.relative_path, p.* FROM pending_deletions AS p "
        "JOIN media_files AS m ON m.id = p.file_id"
    )


def test_plan_decisions_a_careful_person_would_make(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    plan = {r["relative_path"]: r for r in _plan(refreshed).iter_rows(named=True)}
    # Seed 000's Inception: the 4K HEVC version is kept, both 1080p copies go.
    for path in (
        "Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv",
        "media/Inception.2010.1080p.mkv",
    ):
        row = plan[path]
        assert "Kept 4K version" in row["deletion_reason"]
        assert "3840x2160, H.265" in row["deletion_reason"]
        assert row["quality_difference"] > 50
    assert not any("2160p" in p for p in plan)
    # The Spanish-only Matrix goes as wrong_language; the English one stays.
    spanish = plan["media/The.Matrix.1999.SPANISH.1080p.WEB-DL.mkv"]
    assert spanish["deletion_category"] == "wrong_language"
    assert spanish["decision_confidence"] == "certain"
    assert "The.Matrix.1999.720p" not in " ".join(plan)
    # Seed 000's Parasite: a foreign film is never approved automatically.
    parasite = [r for p, r in plan.items() if "Parasite" in p]
    assert parasite and all(
        r["requires_manual_review"] and not r["auto_approved"] for r in parasite
    )
    assert all(r["is_foreign_film"] for r in parasite)
    notes = refreshed.query("SELECT category, reason FROM keep_notes")
    assert any(
        r["category"] == "foreign_film"
        and r["reason"].startswith("Foreign film detected: Parasite")
        for r in notes.iter_rows(named=True)
    )
    # The truncated copy goes as corrupted; the healthy one stays.
    tiger = "Crouching Tiger, Hidden Dragon (2000)"
    truncated = plan[f"Movies/{tiger}/{tiger} 1080p.mkv"]
    assert truncated["deletion_category"] == "corrupted"
    assert not any(p.startswith("media/Crouching Tiger") for p in plan)
    # Seed 002's Red Dwarf pair: the 480p MPEG-4 AVI is proposed, never the multi-episode file.
    assert "media/tv/Red.Dwarf.S01E01.WonderCrew.avi" in plan
    assert not any("S01E01E02" in p for p in plan)
    # Nothing is approved automatically by default, and no zero-byte or hardlink shows up.
    assert not any(r["auto_approved"] for r in plan.values())
    assert not any("Gladiator" in p or "Amelie" in p or "Amélie" in p for p in plan)


def test_catalog_reads_as_assets_of_one_episode(refreshed_demo: Refreshed) -> None:
    refreshed = refreshed_demo
    rows = refreshed.query(
        "SELECT t.name, s.number AS season, e.number AS episode, count(*) AS assets, "
        "count(*) FILTER (WHERE ea.canonical) AS canonical "
        "FROM episode_assets ea JOIN episodes e ON e.id = ea.episode_id "
        "JOIN titles t ON t.id = e.title_id LEFT JOIN seasons s ON s.id = e.season_id "
        "WHERE t.name = 'Red Dwarf' GROUP BY ALL ORDER BY episode"
    )
    by_episode = {r["episode"]: r for r in rows.iter_rows(named=True)}
    assert by_episode[1]["assets"] == 3 and by_episode[1]["canonical"] == 1
    assert by_episode[2]["assets"] == 2 and by_episode[2]["canonical"] == 1
