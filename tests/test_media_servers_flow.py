"""Plex and Jellyfin as sources of a real refreshed library (fake servers on 127.0.0.1): nothing
changes without a server; with them, libraries become collections, item ids provider_refs,
plays watches (once); staging skips a file being played, refreshes the servers' folders by
their mapped paths, and goes on when a server is down."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
import yaml

from mediavault_assets.defs.library.media_servers import media_servers
from mediavault_assets.defs.library.watching import media_watching
from mediavault_assets.demo.media_factory import AudioSpec, VideoSpec, make_video
from mediavault_assets.orchestration import prepare_dagster_home, refresh, run_job
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.reviewing import approve, awaiting_review
from mediavault_assets.settings import Settings, load_settings
from mediavault_assets.warehouse import Warehouse
from tests import fake_jellyfin, fake_plex
from tests.fake_jellyfin import FakeJellyfin, running_fake_jellyfin
from tests.fake_plex import FakePlex, running_fake_plex

pytestmark = pytest.mark.slow

MKV = "TV/Red Dwarf/Season 01/RedDwarf_TVLab_s01e01.mkv"
AVI = "old/Red.Dwarf.S01E01.WonderCrew.avi"
SERVER_TABLES = ("sources", "source_collections", "path_mappings", "provider_refs")


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "volume1" / "videos"
    make_video(root / MKV, VideoSpec(width=1280, height=720, seed=1))
    make_video(
        root / AVI,
        VideoSpec(
            container="avi",
            video_codec="mpeg4",
            width=640,
            height=480,
            seed=2,
            audio=(AudioSpec(codec="mp3", language=None),),
        ),
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
        "media_servers": {
            "plex": {
                "name": "Plex Home",
                "path_mappings": [{"server_path": "/data/videos", "local_path": str(root)}],
            },
            "jellyfin": {
                "path_mappings": [{"server_path": "/media/videos", "local_path": str(root)}]
            },
        },
    }
    path = tmp_path / "mediavault.yaml"
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("MEDIAVAULT_CONFIG", str(path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    for kind in ("PLEX", "JELLYFIN", "EMBY"):
        monkeypatch.delenv(f"MEDIAVAULT_{kind}_URL", raising=False)
    prepare_dagster_home(tmp_path / "dagster_home")
    try:
        yield path
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.environ.pop("DAGSTER_HOME", None)


@pytest.fixture
def plex() -> Iterator[FakePlex]:
    with running_fake_plex() as fake:
        fake.add_section("1", "TV Shows", "show", "/data/videos")
        fake.add_section("2", "Photos", "photo", "/data/photos")
        fake.add_show("1", "200", "Red Dwarf")
        fake.add_episode(
            "200", "201", 1, 1, f"/data/videos/{MKV}", viewCount=2, lastViewedAt=1733000000
        )
        fake.add_episode("200", "202", 1, 1, f"/data/videos/{AVI}")
        fake.add_episode("200", "203", 9, 9, "/data/videos/TV/Red Dwarf/Season 09/Ünseen.mkv")
        yield fake


@pytest.fixture
def jellyfin() -> Iterator[FakeJellyfin]:
    with running_fake_jellyfin() as fake:
        fake.add_library("767bffe4f11c93ef34b805451a696a4e", "Shows", "tvshows", "/media/videos")
        item = "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1"
        fake.add_item(
            "767bffe4f11c93ef34b805451a696a4e",
            {
                "Id": item,
                "Name": "The End",
                "Type": "Episode",
                "Path": f"/media/videos/{MKV}",
                "SeriesName": "Red Dwarf",
                "SeriesId": "5e" * 16,
                "ParentIndexNumber": 1,
                "IndexNumber": 1,
                "ProviderIds": {"Tvdb": "76215"},
            },
        )
        fake.played("a11e" * 8, item, 1, "2024-12-02T20:00:00.0000000Z", True)
        yield fake


def _query(settings: Settings, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.sql(sql).pl()


def _tables(settings: Settings) -> dict[str, list[tuple]]:
    return {t: _query(settings, f"SELECT * FROM {t} ORDER BY id").rows() for t in SERVER_TABLES}


def _sync(config: Path, settings: Settings) -> dict[str, object]:
    """Materialize media_servers and media_watching (which mirrors the plays); the former's
    metadata."""
    from dagster._core.storage.defs_state.base import set_defs_state_storage

    with set_defs_state_storage(None):
        result = dg.materialize(
            [media_servers, media_watching],
            instance=dg.DagsterInstance.ephemeral(),
            resources={
                "settings": MediaVaultSettings(config_path=str(config)),
                "warehouse": Warehouse(path=str(settings.warehouse_path)),
            },
        )
    assert result.success
    [m] = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey("media_servers")
    ]
    return {k: v.value for k, v in m.materialization.metadata.items()}


def _connect(monkeypatch: pytest.MonkeyPatch, plex: FakePlex, jellyfin: FakeJellyfin) -> None:
    monkeypatch.setenv("MEDIAVAULT_PLEX_URL", plex.base_url)
    monkeypatch.setenv("MEDIAVAULT_PLEX_TOKEN", fake_plex.TOKEN)
    monkeypatch.setenv("MEDIAVAULT_JELLYFIN_URL", jellyfin.base_url)
    monkeypatch.setenv("MEDIAVAULT_JELLYFIN_TOKEN", fake_jellyfin.TOKEN)


def test_media_servers_as_sources_and_around_staging(
    library: Path, plex: FakePlex, jellyfin: FakeJellyfin, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(library)
    root = settings.library_roots[0].path
    assert all(o.success for o in refresh(settings, library, echo=lambda _: None))

    # No server configured: the asset says so and changes nothing.
    before = _tables(settings)
    quiet = _sync(library, settings)
    assert "No media server configured" in str(quiet["status"])
    assert _tables(settings) == before and not plex.requests and not jellyfin.requests
    assert _query(settings, "SELECT count(*) AS n FROM watch_history")["n"][0] == 0

    _connect(monkeypatch, plex, jellyfin)
    meta = _sync(library, settings)
    assert (meta["servers"], meta["answered"], meta["errors"]) == (2, 2, "none")
    sources = _query(settings, "SELECT kind, name, external_id FROM sources ORDER BY kind")
    assert sources.filter(pl.col("kind") == "plex").row(0)[1] == "Plex Home"
    assert set(sources["kind"]) == {"filesystem", "plex", "jellyfin"}
    collections = _query(
        settings,
        "SELECT s.kind, c.external_id, c.name, c.enabled FROM source_collections c "
        "JOIN sources s ON s.id = c.source_id WHERE s.kind <> 'filesystem' ORDER BY 1, 2",
    ).rows()
    assert collections == [
        ("jellyfin", "767bffe4f11c93ef34b805451a696a4e", "Shows", True),
        ("plex", "1", "TV Shows", True),  # photos are not a video library
    ]
    mappings = _query(
        settings, "SELECT mapping_kind, plex_path, local_path FROM path_mappings ORDER BY 1, 2"
    ).rows()
    assert ("plex", "/data/videos", str(root)) in mappings
    assert ("jellyfin", "/media/videos", str(root)) in mappings

    mkv_id, avi_id = (
        _query(settings, f"SELECT file_id FROM inventory_files WHERE relative_path = '{p}'")[
            "file_id"
        ][0]
        for p in (MKV, AVI)
    )
    refs = _query(
        settings,
        "SELECT provider, entity_type, entity_id, provider_key, asset_id, title_id "
        "FROM provider_refs WHERE provider IN ('plex', 'jellyfin') ORDER BY ALL",
    )
    keys = {(r[0], r[1], r[3]) for r in refs.rows()}
    assert {
        ("plex", "asset", "201"),
        ("plex", "asset", "202"),
        ("plex", "title", "200"),
        ("jellyfin", "asset", "e1" * 16),
        ("jellyfin", "title", "5e" * 16),
    } <= keys
    assert ("plex", "asset", "203") not in keys  # a file the library does not hold
    plex_assets = refs.filter((pl.col("provider") == "plex") & (pl.col("entity_type") == "asset"))
    assert dict(zip(plex_assets["provider_key"], plex_assets["asset_id"], strict=True)) == {
        "201": mkv_id,
        "202": avi_id,
    }
    assert (
        _query(
            settings,
            "SELECT count(*) AS n FROM provider_refs r JOIN titles t "
            "ON t.id = r.title_id WHERE r.provider = 'plex'",
        )["n"][0]
        == 4
    )

    watches = "SELECT watch_source, watched_at, season_number, episode_number FROM watch_history"
    plays = _query(settings, f"{watches} ORDER BY watched_at").rows()
    assert [(p[0], p[2], p[3]) for p in plays] == [("plex", 1, 1), ("jellyfin", 1, 1)]

    # A refresh does not count the same plays again; a new play is one more watch.
    assert _sync(library, settings)["new_watches"] == 0
    assert _query(settings, watches).height == 2
    plex.leaves["200"][0]["viewCount"] = 3
    plex.leaves["200"][0]["lastViewedAt"] = 1733500000
    assert _sync(library, settings)["new_watches"] == 1

    # The analysis keeps the servers' refs (its own are TMDb's, IMDb's and TVDB's).
    assert all(o.success for o in refresh(settings, library, echo=lambda _: None))
    assert (
        _query(settings, "SELECT count(*) AS n FROM provider_refs WHERE provider = 'plex'")["n"][0]
        == 4  # two assets, their one episode (both are S01E01), its show
    )

    # Staging: the approved file is being played on Plex, so it stays.
    plan = awaiting_review(settings)
    [row] = plan.filter(plan["file"].str.ends_with(".avi")).to_dicts()
    approve(settings, [row["plan_id"]], reviewer="ann")
    plex.playing.append(f"/data/videos/{AVI}")
    held = run_job(library, "stage_approved")
    assert held.success and held.output["counts"] == {"skipped": 1}
    assert (root / AVI).exists()
    [(message,)] = _query(
        settings, f"SELECT error_message FROM archive_operations WHERE file_id = {avi_id}"
    ).rows()
    assert message == "being played on Plex Home right now; it stays for a later run"
    assert plex.refreshes() == []

    # Played no more, and Jellyfin down: staged all the same, and Plex rescans the folder.
    plex.playing.clear()
    jellyfin.stop()
    staged = run_job(library, "stage_approved")
    assert staged.success and staged.output["counts"] == {"moved": 1}
    assert not (root / AVI).exists()
    assert plex.refreshes() == [("1", "/data/videos/old")]

    restored = run_job(
        library, "restore_staged", op_config={"restore_files": {"restore_all": True}}
    )
    assert restored.success and restored.output["counts"] == {"restored": 1}
    assert (root / AVI).exists()
    assert plex.refreshes() == [("1", "/data/videos/old")] * 2

    # A server that is down keeps its rows at the next sync.
    kept = _query(settings, "SELECT * FROM sources WHERE kind = 'jellyfin'").rows()
    down = _sync(library, settings)
    assert down["answered"] == 1 and str(down["errors"]).startswith("jellyfin: ConnectError")
    assert _query(settings, "SELECT * FROM sources WHERE kind = 'jellyfin'").rows() == kept

    # Purged: a server that still lists the file at its old place rescans that folder.
    assert all(o.success for o in refresh(settings, library, echo=lambda _: None))
    approve(settings, [row["plan_id"]], reviewer="ann")
    assert run_job(library, "stage_approved").output["counts"] == {"moved": 1}
    purged = run_job(library, "purge_staged")
    assert purged.success and purged.output["counts"] == {"purged": 1}
    assert plex.refreshes() == [("1", "/data/videos/old")] * 4
