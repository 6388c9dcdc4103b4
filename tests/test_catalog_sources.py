"""Seed 004's remaining tables on the refreshed demo: sources and their collections and path
mappings, chapter markers, provider_refs joining the catalog, SHA-256 next to MD5, and the one
review queue (real Dagster materializations; answers kept across re-scans until a file changes).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from mediavault_assets.cli import main
from mediavault_assets.demo.media_factory import VideoSpec, make_video
from mediavault_assets.domain.review_queue import (
    QueueCandidate,
    Resolution,
    build_queue,
    file_signature,
)
from mediavault_assets.domain.sources import RootLocation, filesystem_sources
from mediavault_assets.media.mounts import Mount, mount_of, server_of
from mediavault_assets.orchestration import prepare_dagster_home, refresh
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.reviewing import queue_entries, resolve_queue_item
from mediavault_assets.settings import Settings, load_settings, write_settings
from tests.conftest import Refreshed

SEED_004 = next(iter(Path("/work/shared/seeds").glob("004_*.txt")), None)
SEED_TABLES = (
    "sources",
    "source_collections",
    "path_mappings",
    "markers",
    "review_queue",
    "provider_refs",
    "assets",
)


_CONSTRAINTS = ("PRIMARY", "UNIQUE", "FOREIGN", "CHECK")


def seed_columns(text: str) -> dict[str, list[str]]:
    """Each CREATE TABLE of the seed → its column names (constraint lines left out)."""
    tables = {}
    for name, body in re.findall(r"(?is)CREATE TABLE (\w+) \((.*?)\n\);", text):
        columns = []
        for line in body.splitlines():
            word = line.strip().split(" ", 1)[0]
            if word and not word.startswith("--") and not word.upper().startswith(_CONSTRAINTS):
                columns.append(word)
        tables[name] = columns
    return tables


@pytest.mark.skipif(SEED_004 is None, reason="the seeds are not on this machine")
def test_seed_004_tables_have_the_seed_columns_and_rows(refreshed_demo: Refreshed) -> None:
    assert SEED_004 is not None
    wanted = seed_columns(SEED_004.read_text(encoding="utf-8"))
    assert set(SEED_TABLES) <= set(wanted)
    for table in SEED_TABLES:
        held = refreshed_demo.query(
            f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'"
        )["column_name"].to_list()
        assert set(wanted[table]) <= set(held), (table, set(wanted[table]) - set(held))
        rows = refreshed_demo.query(f"SELECT count(*) AS n FROM {table}")["n"][0]
        # provider_refs need TMDb or ID tags, which the keyless demo has not: test_tmdb_asset.py
        assert rows > 0 or table == "provider_refs", table


def test_the_roots_are_collections_of_this_machine_with_their_nas_paths(
    refreshed_demo: Refreshed,
) -> None:
    sources = refreshed_demo.query("SELECT id, external_id, kind FROM sources")
    assert sources.height == 1 and sources["kind"][0] == "filesystem"
    rows = refreshed_demo.query(
        "SELECT c.external_id AS root, c.enabled, m.plex_path, m.local_path "
        "FROM source_collections c JOIN path_mappings m ON m.collection_id = c.id "
        "ORDER BY root"
    ).to_dicts()
    roots = {r.key: r for r in refreshed_demo.settings.library_roots}
    assert rows == [
        {
            "root": key,
            "enabled": True,
            "plex_path": roots[key].nas_path,
            "local_path": str(roots[key].path),
        }
        for key in ("docker", "videos")
    ]
    # Two refreshes ran: the rows are the first one's, not new ones.
    kept = refreshed_demo.query("SELECT count(*) AS n FROM sources WHERE created_at = updated_at")
    assert kept["n"][0] == 1


def test_roots_mounted_from_one_nas_are_collections_of_one_source() -> None:
    mounts = [
        Mount("/dev/sda1", "/", "ext4"),
        Mount("//DiskStation/video", "/mnt/nas/videos", "cifs"),
        Mount("diskstation:/volume1/docker", "/mnt/nas/docker", "nfs4"),
        Mount("/dev/sdb1", "/srv/media", "ext4"),
    ]
    assert server_of(mount_of(Path("/mnt/nas/videos/Movies"), mounts)) == "diskstation"
    assert server_of(mount_of(Path("/mnt/nas/docker"), mounts)) == "diskstation"
    assert server_of(mount_of(Path("/srv/media"), mounts)) is None
    assert server_of(mount_of(Path("/mnt/nas/videosx"), mounts)) is None  # only "/" holds it
    found = filesystem_sources(
        [
            RootLocation("videos", "/mnt/nas/videos", "mixed", "/volume1/video", "diskstation"),
            RootLocation("docker", "/mnt/nas/docker", "mixed", "/volume1/docker", "diskstation"),
            RootLocation("local", "/srv/media", "movie", None, None),
        ],
        this_host="htpc",
    )
    assert [s.external_id for s in found.sources] == ["filesystem:diskstation", "filesystem:htpc"]
    by_root = {c.root_key: c.source_id for c in found.collections}
    assert by_root["videos"] == by_root["docker"] != by_root["local"]
    assert [(m.plex_path, m.local_path) for m in found.path_mappings] == [
        ("/volume1/docker", "/mnt/nas/docker"),
        ("/volume1/video", "/mnt/nas/videos"),
    ]


def test_chapters_are_markers_of_their_asset(refreshed_demo: Refreshed) -> None:
    rows = refreshed_demo.query(
        "SELECT a.uri, m.kind, m.start_ms, m.end_ms, m.label FROM markers m "
        "JOIN assets a ON a.id = m.asset_id WHERE a.uri LIKE '%2160p%' ORDER BY m.start_ms"
    ).to_dicts()
    assert [(r["kind"], r["start_ms"], r["label"]) for r in rows] == [
        ("chapter", 0, "Dream Within a Dream"),
        ("chapter", 1000, "Kick"),
    ]
    assert rows[0]["end_ms"] == 1000 and rows[1]["end_ms"] >= 1900
    # The 1080p cut (and its copy in the other root; the recycle bin's is not scanned) has
    # its own, later second chapter.
    others = refreshed_demo.query(
        "SELECT a.uri, list(m.start_ms ORDER BY m.start_ms) AS starts FROM markers m "
        "JOIN assets a ON a.id = m.asset_id WHERE a.uri NOT LIKE '%2160p%' GROUP BY a.uri"
    ).to_dicts()
    assert {Path(r["uri"]).name: r["starts"] for r in others} == {
        "Inception.2010.1080p.BluRay.x264.mkv": [0, 1500],
        "Inception.2010.1080p.mkv": [0, 1500],
    }


def test_sha256_where_the_whole_file_was_read(refreshed_demo: Refreshed) -> None:
    rows = refreshed_demo.query(
        "SELECT i.local_path, a.hash_md5, a.hash_sha256 FROM assets a "
        "JOIN inventory_files i ON i.file_id = a.id WHERE a.hash_md5 IS NOT NULL"
    ).to_dicts()
    assert rows
    for r in rows:
        data = Path(r["local_path"]).read_bytes()
        assert (r["hash_md5"], r["hash_sha256"]) == (
            hashlib.md5(data).hexdigest(),
            hashlib.sha256(data).hexdigest(),
        )
    partial = refreshed_demo.query(
        "SELECT count(*) AS n FROM assets WHERE hash_md5 IS NULL AND hash_sha256 IS NOT NULL"
    )
    assert partial["n"][0] == 0


def test_provider_refs_join_the_catalog(refreshed_demo: Refreshed) -> None:
    # The keyless demo has none; test_tmdb_asset.py has them from the fake TMDb.
    unjoined = refreshed_demo.query(
        "SELECT count(*) AS n FROM provider_refs r LEFT JOIN titles t ON t.id = r.title_id "
        "LEFT JOIN episodes e ON e.id = r.episode_id WHERE t.id IS NULL "
        "OR (r.entity_type = 'episode' AND (e.id IS NULL OR r.entity_id <> e.id))"
    )
    assert unjoined["n"][0] == 0


def test_the_queue_holds_every_kind_the_demo_has(refreshed_demo: Refreshed) -> None:
    rows = refreshed_demo.query(
        "SELECT kind, count(*) AS n, min(confidence) AS low, max(confidence) AS high, "
        "list(DISTINCT status) AS statuses FROM review_queue GROUP BY kind"
    )
    kinds = {r["kind"]: r for r in rows.iter_rows(named=True)}
    assert {
        "plan_review",
        "probe_error",
        "integrity_error",
        "sample_outside_group",
    } <= set(kinds)
    for r in kinds.values():
        assert 0.0 <= r["low"] <= r["high"] <= 1.0 and "pending" in r["statuses"]
    # Each item is about a catalog asset and says why.
    orphans = refreshed_demo.query(
        "SELECT count(*) AS n FROM review_queue q LEFT JOIN assets a ON a.id = q.asset_id "
        "WHERE a.id IS NULL OR q.reason = ''"
    )
    assert orphans["n"][0] == 0


def test_a_resolved_item_stays_resolved_until_its_file_changes(
    refreshed_demo: Refreshed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A copy of the refreshed demo, so the session's stays as it was.
    library = tmp_path / "library"
    shutil.copytree(refreshed_demo.library, library, symlinks=True)
    config = write_settings(
        {
            **refreshed_demo.settings.model_dump(mode="json"),
            "warehouse_path": str(tmp_path / "warehouse.duckdb"),
            "app_store_path": str(tmp_path / "review.sqlite"),
            "cache_dir": str(tmp_path / "cache"),
            "staging_root": str(library / "volume1" / "video" / "duplicates_before_purge"),
            "library_roots": [
                {
                    **r.model_dump(mode="json"),
                    "path": str(library / r.path.relative_to(refreshed_demo.library)),
                }
                for r in refreshed_demo.settings.library_roots
            ],
        },
        tmp_path / "mediavault.yaml",
    )
    settings = load_settings(config)
    previous_home = os.environ.pop("DAGSTER_HOME", None)
    try:
        os.environ["DAGSTER_HOME"] = str(refreshed_demo.home)

        def rescan() -> None:
            assert all(o.success for o in refresh(settings, config, echo=lambda _: None))

        rescan()
        pending = {e.item.kind: e for e in queue_entries(settings, status="pending")}
        damaged, doubtful = pending["integrity_error"], pending["probe_error"]
        resolve_queue_item(settings, str(damaged.item.id), "resolved", "alice")
        monkeypatch.setenv("MEDIAVAULT_CONFIG", str(config))
        assert (
            main(
                [
                    "queue",
                    "resolve",
                    doubtful.item.item_key,
                    "--as",
                    "rejected",
                    "--reviewer",
                    "bob",
                ]
            )
            == 0
        )
        assert main(["queue", "--kind", "probe_error", "--json"]) == 0
        listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
        assert {i["item_key"]: i["status"] for i in listed}[doubtful.item.item_key] == "rejected"
        # Shown at once from the review store, then mirrored by the next scan.
        assert {e.item.item_key: e.item.status for e in queue_entries(settings)}[
            damaged.item.item_key
        ] == "resolved"
        rescan()
        with_answers = _queue(settings)
        assert with_answers[damaged.item.item_key][:2] == ("resolved", "alice")
        assert with_answers[damaged.item.item_key][2] is not None  # resolved_at
        assert with_answers[doubtful.item.item_key][:2] == ("rejected", "bob")

        # The damaged file changes (a new copy lands): its item is pending again.
        (local,) = _rows(
            settings,
            f"SELECT local_path FROM inventory_files WHERE file_id = {damaged.item.asset_id}",
        )
        path = Path(local[0])
        stat = path.stat()
        with path.open("ab") as f:
            f.write(b"\0" * 16)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        rescan()
        after = _queue(settings)
        assert after[damaged.item.item_key][:2] == ("pending", None)
        assert after[doubtful.item.item_key][:2] == ("rejected", "bob")
    finally:
        os.environ.pop("DAGSTER_HOME", None)
        if previous_home:
            os.environ["DAGSTER_HOME"] = previous_home


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.sql(sql).fetchall()


def _queue(settings: Settings) -> dict[str, tuple]:
    rows = _rows(settings, "SELECT item_key, status, resolved_by, resolved_at FROM review_queue")
    return {r[0]: r[1:] for r in rows}


def test_queue_answers_apply_to_the_files_they_were_made_on() -> None:
    now = file_signature(100, 5, 7)
    item = QueueCandidate("probe_error", "1", 1, "Could not be probed", 1.0, now)
    title = QueueCandidate("tmdb_unmatched", "movie|heat|1995", 2, "no title", 0.0, "a|b", 2)
    answers = {
        item.item_key: Resolution(item.item_key, now, "resolved", "alice", "2026-12-07T10:00:00"),
        title.item_key: Resolution(title.item_key, "a|old", "rejected", "bob", "2026-12-07"),
    }
    queue = {i.item_key: i for i in build_queue([item, item, title], answers)}
    assert len(queue) == 2
    assert (queue[item.item_key].status, queue[item.item_key].resolved_by) == ("resolved", "alice")
    assert queue[title.item_key].status == "pending"  # one of its files changed since
    # A plan row's decision answers its item; the newer of two answers wins.
    plan = QueueCandidate("plan_review", "9", 9, "Plan proposes staging it", 0.7, now)
    decided = {plan.item_key: Resolution(plan.item_key, now, "rejected", "carol", "2026-12-08")}
    older = {plan.item_key: Resolution(plan.item_key, now, "resolved", "dave", "2026-12-01")}
    (only,) = build_queue([plan], older, decided)
    assert (only.status, only.resolved_by) == ("rejected", "carol")


def test_the_review_store_keeps_queue_answers(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "review.sqlite")
    store.resolve_queue_item("probe_error:1", "1:2:3", "resolved", reviewer="alice")
    store.resolve_queue_item("probe_error:1", "1:2:4", "rejected", reviewer="bob")
    (answer,) = store.queue_resolutions().values()
    assert (answer.signature, answer.status, answer.reviewer) == ("1:2:4", "rejected", "bob")
    with pytest.raises(ValueError, match="resolved or rejected"):
        store.resolve_queue_item("probe_error:1", "1:2:4", "pending", reviewer="x")  # type: ignore[arg-type]


def test_a_path_that_disagrees_about_its_identity_is_queued(
    tmp_path: Path, library_dirs: dict[str, Path], config_file: Path
) -> None:
    doubtful = "TV/Red Dwarf/Season 01/Red Dwarf S02E03.mkv"
    make_video(library_dirs["videos"] / doubtful, VideoSpec(seed=7))
    settings = load_settings(config_file)
    previous_home = os.environ.pop("DAGSTER_HOME", None)
    try:
        prepare_dagster_home(tmp_path / "dagster_home")
        assert all(o.success for o in refresh(settings, config_file, echo=lambda _: None))
    finally:
        os.environ.pop("DAGSTER_HOME", None)
        if previous_home:
            os.environ["DAGSTER_HOME"] = previous_home
    rows = _rows(
        settings,
        "SELECT q.kind, q.reason, q.confidence, q.status FROM review_queue q "
        "JOIN inventory_files i ON i.file_id = q.asset_id "
        f"WHERE i.relative_path = '{doubtful}'",
    )
    assert rows == [
        (
            "identity_conflict",
            "Its path disagrees about what it is: file name says season 2, folder says season 1",
            0.5,
            "pending",
        )
    ]
