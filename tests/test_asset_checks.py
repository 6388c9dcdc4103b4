"""The asset checks pass on the demo library and fail on data that breaks their promise."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from domain_builders import library_file, movie, probe

from mediavault_assets.defs.checks import violations_result
from mediavault_assets.defs.library.assets import promise_violations
from mediavault_assets.domain.deletion_plan import PlanPolicy, plan_deletions
from mediavault_assets.domain.grouping import group_duplicates
from mediavault_assets.warehouse import Warehouse
from tests.conftest import Refreshed

INGEST_CHECKS = (
    "check_probes_cover_inventory",
    "check_unique_sizes_not_hashed",
    "check_parsed_titles",
)


@pytest.fixture
def demo_copy(refreshed_demo: Refreshed, tmp_path: Path) -> Warehouse:
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(refreshed_demo.settings.warehouse_path, path)
    return Warehouse(path=str(path))


def test_ingest_checks_pass_on_the_demo(demo_copy: Warehouse) -> None:
    for query in INGEST_CHECKS:
        assert violations_result(demo_copy, query).passed, query


@pytest.mark.parametrize(
    ("query", "breakage"),
    [
        (
            "check_probes_cover_inventory",
            "DELETE FROM file_probes WHERE file_id = (SELECT min(file_id) FROM file_probes)",
        ),
        (
            "check_unique_sizes_not_hashed",
            "INSERT INTO file_hashes SELECT file_id, root_key, file_size, mtime_ns, inode, "
            "NULL, NULL, '0123456789abcdef0123456789abcdef', NULL, now(), NULL "
            "FROM inventory_files "
            "WHERE file_size > 0 AND file_id NOT IN (SELECT file_id FROM file_hashes "
            "WHERE md5_hash IS NOT NULL) AND link_count = 1 ORDER BY file_id LIMIT 1 "
            "ON CONFLICT (file_id) DO UPDATE SET md5_hash = excluded.md5_hash",
        ),
        (
            "check_parsed_titles",
            "UPDATE parsed_names SET title = '  ' "
            "WHERE file_id = (SELECT min(file_id) FROM parsed_names)",
        ),
    ],
)
def test_ingest_checks_fail_on_broken_data(demo_copy: Warehouse, query: str, breakage: str) -> None:
    demo_copy.execute(breakage)
    result = violations_result(demo_copy, query)
    assert not result.passed
    assert result.metadata["violations"].value == 1


def test_promise_checks_fail_on_a_plan_that_breaks_them() -> None:
    files = [
        library_file("/volume1/videos/Heat.2160p.mkv", movie("Heat", 1995), probe("4K")),
        library_file("/volume1/docker/Heat.720p.mkv", movie("Heat", 1995), probe("720p")),
    ]
    plan = plan_deletions(group_duplicates(files), files, PlanPolicy())
    assert not any(promise_violations(plan, files).values())
    [row] = plan.rows
    keeper = next(f for f in files if f.file_id != row.file_id)
    # Stage the keeper too: the group would lose its last copy and its only English audio.
    broken = replace(plan, rows=(row, replace(row, id=row.id + 1, file_id=keeper.file_id)))
    violations = promise_violations(broken, files)
    assert violations["no_group_loses_last_copy"]
    assert violations["only_english_audio_copy_kept"]
    auto = replace(plan, rows=(replace(row, auto_approved=True, is_foreign_film=True),))
    foreign = [
        replace(f, probe=replace(f.probe, audio_languages=("ko",), subtitle_languages=("en",)))
        for f in files
    ]
    assert promise_violations(auto, foreign)["no_foreign_film_auto_approved"]


def test_file_names_in_metadata_tables_are_inert_markdown(demo_copy: Warehouse) -> None:
    """A file named like a Markdown image must not make the Dagster UI fetch a remote picture."""
    from markdown_it import MarkdownIt

    hostile = "/volume1/videos/![x](http://192.0.2.1/p.png) <img src=x> [a](javascript:x)|b.mkv"
    demo_copy.execute(
        "UPDATE inventory_files SET filepath = ? "
        "WHERE file_id = (SELECT min(file_id) FROM parsed_names)",
        [hostile],
    )
    demo_copy.execute(
        "UPDATE parsed_names SET title = '' WHERE file_id = (SELECT min(file_id) FROM parsed_names)"
    )
    table = violations_result(demo_copy, "check_parsed_titles").metadata["examples"].value
    html = MarkdownIt("commonmark").enable("table").render(table)
    assert "<img" not in html and "<a " not in html and "&lt;img" in html
    assert html.count("<td>") == 2  # the '|' in the name did not open a third cell
