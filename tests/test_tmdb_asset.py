"""tmdb_metadata materialized for real: the demo library's names against the fake TMDb."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from fake_tmdb import API_KEY, FakeTmdb, clear_proxy_env, running_fake_tmdb

from mediavault_assets.defs.ingest.assets import inventory, parsed_names
from mediavault_assets.defs.library.assets import duplicate_analysis
from mediavault_assets.defs.library.review_queue import review_queue
from mediavault_assets.defs.metadata.assets import tmdb_metadata
from mediavault_assets.defs.partitions import library_roots
from mediavault_assets.domain.model import ProbeFacts, file_id_for
from mediavault_assets.domain.naming import parse_name
from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.ingest.names import parsed_frame, parsed_row
from mediavault_assets.ingest.probes import ProbeTask, probe_frame, probe_row
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.tmdb import client as tmdb_client
from mediavault_assets.tmdb.client import DETAILS_APPENDED, TmdbResource
from mediavault_assets.warehouse import Warehouse

# The demo library's video names (mediavault_assets/demo/demo_library.py), plus two names TMDb
# cannot settle: a title shared by two films and no year, and a home video.
DEMO_NAMES = {
    "videos": [
        "Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv",
        "Movies/Inception (2010)/Inception.2010.2160p.UHD.BluRay.x265.HDR10.mkv",
        "Movies/Inception (2010)/Sample/Inception.2010.1080p.BluRay.x264-sample.mkv",
        "Movies/Inception (2010)/Inception (2010)-trailer.mp4",
        "TV/Red Dwarf/Season 01/RedDwarf_TVLab_s01e01.mkv",
        "TV/Red Dwarf/Season 01/Red Dwarf - S01E01E02 - The End + Future Echoes.mkv",
        "TV/Red Dwarf/Season 01/Red Dwarf - S01E02 - Future Echoes.webm",
        "Movies/The Matrix (1999)/The.Matrix.1999.720p.BluRay.x264.mkv",
        "Movies/Parasite (2019)/Parasite.2019.1080p.BluRay.KOREAN.x264.mkv",
        "Movies/The Godfather (1972)/The.Godfather.1972.CD1.XviD.avi",
        "Movies/The Godfather (1972)/The.Godfather.1972.CD2.XviD.avi",
        "Movies/Blade Runner (1982)/Blade.Runner.1982.1080p.BluRay.x264.mkv",
        "Movies/Blade Runner (1982)/Blade.Runner.1982.Directors.Cut.1080p.BluRay.x264.mkv",
        "Movies/Amélie (2001)/Le Fabuleux Destin d'Amélie Poulain 2001 720p.mkv",
        "Movies/Crouching Tiger, Hidden Dragon (2000)/"
        "Crouching Tiger, Hidden Dragon (2000) 1080p.mkv",
        "Movies/Spirited Away (2001)/Spirited Away (2001) 720p.mkv",
        "Movies/The Thing.mkv",
        "Home Videos/Home Movie 2003.mkv",
    ],
    "docker": [
        "media/Inception.2010.1080p.mkv",
        "media/tv/Red.Dwarf.S01E01.WonderCrew.avi",
        "media/tv/Red Dwarf S01E03 Balance of Power (DVB).ts",
        "media/The.Matrix.1999.SPANISH.1080p.WEB-DL.mkv",
        "media/Parasite (2019) 720p.mp4",
        "downloads/complete/Le.Fabuleux.Destin.d.Amelie.Poulain.2001.720p.BluRay.x264-VETO.mkv",
        "media/Crouching Tiger, Hidden Dragon (2000)/"
        "Crouching Tiger, Hidden Dragon (2000) 1080p.mkv",
        "media/Gladiator.2000.1080p.BluRay.x264.mkv",
    ],
}
# File name prefix (lower-case letters and digits only) → TMDb title and year.
EXPECTED_TITLES = {
    "inception": ("Inception", 2010),
    "reddwarf": ("Red Dwarf", 1988),
    "thematrix": ("The Matrix", 1999),
    "parasite": ("Parasite", 2019),
    "thegodfather": ("The Godfather", 1972),
    "bladerunner": ("Blade Runner", 1982),
    "lefabuleux": ("Amélie", 2001),
    "crouchingtiger": ("Crouching Tiger, Hidden Dragon", 2000),
    "spiritedaway": ("Spirited Away", 2001),
    "gladiator": ("Gladiator", 2000),
}
# Probes for a few files (seconds, audio, subtitles): what the rules need to see.
PROBES = {
    "Parasite.2019.1080p.BluRay.KOREAN.x264.mkv": (133 * 60, ("und",), ()),
    "Spirited Away (2001) 720p.mkv": (125 * 60, ("und",), ("en",)),
    "The.Matrix.1999.720p.BluRay.x264.mkv": (136 * 60, ("en",), ()),
    "Inception.2010.1080p.BluRay.x264.mkv": (60, ("en",), ()),  # a sample without the label
    "Gladiator.2000.1080p.BluRay.x264.mkv": (50 * 60, ("en",), ()),  # an interrupted copy
    "Red Dwarf - S01E01E02 - The End + Future Echoes.mkv": (57 * 60, ("en",), ()),
}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTmdb]:
    clear_proxy_env(monkeypatch)
    with running_fake_tmdb() as server:
        monkeypatch.setenv("TMDB_API_BASE_URL", server.base_url)
        monkeypatch.setenv("TMDB_API_KEY", API_KEY)
        monkeypatch.delenv("TMDB_READ_ACCESS_TOKEN", raising=False)
        yield server


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def write_names(library_dirs: dict[str, Path], names: dict[str, list[str]]) -> None:
    for root, paths in names.items():
        for relative in paths:
            path = library_dirs[root] / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(relative.encode())  # distinct sizes: no byte-identical copies


def resources(
    config_file: Path, warehouse: Warehouse, tmdb: TmdbResource | None = None
) -> dict[str, object]:
    return {
        "settings": MediaVaultSettings(config_path=str(config_file)),
        "warehouse": warehouse,
        "tmdb": tmdb or TmdbResource(),
    }


def scan(
    instance: dg.DagsterInstance,
    config_file: Path,
    warehouse: Warehouse,
    roots: tuple[str, ...] = ("videos", "docker"),
) -> None:
    """Inventory and parsed names of library roots (the real ingest assets)."""
    instance.add_dynamic_partitions(
        library_roots.name,
        [r for r in roots if not instance.has_dynamic_partition(library_roots.name, r)],
    )
    for root in roots:
        result = dg.materialize(
            [inventory, parsed_names],
            partition_key=root,
            instance=instance,
            resources=resources(config_file, warehouse),
        )
        assert result.success


def insert_probes(warehouse: Warehouse) -> None:
    files = warehouse.frame("SELECT file_id, root_key, filename, local_path FROM inventory_files")
    rows = []
    for f in files.iter_rows(named=True):
        if f["filename"] not in PROBES:
            continue
        duration, audio, subtitles = PROBES[f["filename"]]
        task = ProbeTask(f["file_id"], f["local_path"], 1, 1, 1, sidecar_languages=())
        facts = ProbeFacts(
            duration=float(duration),
            container="mkv",
            video_codec="h264",
            width=1920,
            height=1080,
            audio_track_count=len(audio),
            audio_languages=audio,
            subtitle_languages=subtitles,
        )
        rows.append(probe_row(task, f["root_key"], facts, utc_now()))
    frame = probe_frame(rows)
    warehouse.replace_keys("file_probes", "file_id", frame["file_id"].to_list(), frame)


def enrich(
    instance: dg.DagsterInstance,
    config_file: Path,
    warehouse: Warehouse,
    tmdb: TmdbResource | None = None,
) -> dict[str, object]:
    result = dg.materialize(
        [tmdb_metadata], instance=instance, resources=resources(config_file, warehouse, tmdb)
    )
    assert result.success
    for record in instance.all_logs(result.run_id):  # the key never reaches the event log
        assert API_KEY not in str(record.user_message)
    materialization = result.asset_materializations_for_node("tmdb_metadata")[0]
    return {k: v.value for k, v in materialization.metadata.items()}


def assert_expected_titles(warehouse: Warehouse) -> None:
    files = warehouse.frame("SELECT relative_path, tmdb_title, tmdb_year FROM media_files")
    for row in files.iter_rows(named=True):
        name = "".join(c for c in row["relative_path"].rsplit("/", 1)[-1].lower() if c.isalnum())
        expected = next((t for k, t in EXPECTED_TITLES.items() if name.startswith(k)), None)
        assert (row["tmdb_title"], row["tmdb_year"]) == (expected or (None, None)), name


def media_file(warehouse: Warehouse, filename: str) -> dict[str, object]:
    return warehouse.frame("SELECT * FROM media_files WHERE filename = ?", [filename]).row(
        0, named=True
    )


def test_refresh_fills_the_demo_titles_and_the_rules_use_them(
    fake: FakeTmdb,
    instance: dg.DagsterInstance,
    config_file: Path,
    library_dirs: dict[str, Path],
    warehouse: Warehouse,
) -> None:
    write_names(library_dirs, DEMO_NAMES)
    scan(instance, config_file, warehouse)
    insert_probes(warehouse)
    before = media_file(warehouse, "Parasite.2019.1080p.BluRay.KOREAN.x264.mkv")
    assert (before["audio_languages"], before["is_foreign_film"]) == (["und"], False)

    meta = enrich(instance, config_file, warehouse)

    # Every demo title got its TMDb metadata; the two unsettled names are listed for review.
    assert_expected_titles(warehouse)
    review = warehouse.frame("SELECT title, status FROM tmdb_matches WHERE season IS NULL")
    statuses = dict(review.iter_rows())
    assert statuses["The Thing"] == "ambiguous"
    assert statuses["Home Movie"] == "unmatched"
    assert meta["identities_ambiguous"] == 1 and meta["identities_unmatched"] == 1
    # Both reach the one review queue, each about all files of its title; the catalog's
    # provider_refs carry what TMDb said (seed 004's polymorphic keys join titles and episodes).
    analyzed = dg.materialize(
        [duplicate_analysis, review_queue],
        instance=instance,
        resources=resources(config_file, warehouse),
    )
    assert analyzed.success
    refs = warehouse.frame(
        "SELECT r.entity_type, r.provider, r.provider_key, t.name, e.number AS episode "
        "FROM provider_refs r JOIN titles t ON t.id = r.title_id "
        "LEFT JOIN episodes e ON e.id = r.episode_id "
        "WHERE (r.entity_type = 'title' AND r.entity_id = t.id) "
        "OR (r.entity_type = 'episode' AND r.entity_id = e.id)"
    )
    assert refs.height == warehouse.frame("SELECT * FROM provider_refs").height
    by_title = {
        (r["name"], r["provider"]): r["provider_key"]
        for r in refs.iter_rows(named=True)
        if r["entity_type"] == "title"
    }
    assert by_title[("Parasite", "imdb")] == "tt6751668"
    assert by_title[("Parasite", "tmdb")].startswith("movie/")
    episodes = refs.filter(pl.col("entity_type") == "episode")
    assert episodes.height > 0
    assert all(re.fullmatch(r"tv/\d+/season/\d+/episode/\d+", k) for k in episodes["provider_key"])
    tmdb_items = warehouse.frame(
        "SELECT kind, reason, status, file_count FROM review_queue WHERE kind LIKE 'tmdb_%' "
        "ORDER BY kind"
    ).rows()
    assert [(kind, status) for kind, _, status, _ in tmdb_items] == [
        ("tmdb_ambiguous", "pending"),
        ("tmdb_unmatched", "pending"),
    ]
    assert tmdb_items[0][1].startswith("The Thing") and tmdb_items[1][1].startswith("Home Movie")
    assert all(count >= 1 for *_, count in tmdb_items)
    assert meta["skipped_without_key"] is False
    assert meta["requests_sent"] == len(fake.requests) > 0

    # Parasite: Korean original language → its untagged audio is Korean → a foreign film.
    parasite = media_file(warehouse, "Parasite.2019.1080p.BluRay.KOREAN.x264.mkv")
    assert parasite["tmdb_original_language"] == "ko"
    assert parasite["audio_languages"] == ["ko"]
    assert parasite["is_foreign_film"] is True
    spirited = media_file(warehouse, "Spirited Away (2001) 720p.mkv")
    assert (spirited["audio_languages"], spirited["is_foreign_film"]) == (["ja"], True)
    matrix = media_file(warehouse, "The.Matrix.1999.720p.BluRay.x264.mkv")
    assert (matrix["tmdb_original_language"], matrix["is_foreign_film"]) == ("en", False)
    assert meta["files_language_updated"] == 2

    # Far shorter than the TMDb runtime: flagged; full-length, extras and CD parts: not.
    flags = dict(
        warehouse.frame(
            "SELECT filename, tmdb_runtime_flag FROM media_files "
            "WHERE tmdb_runtime_flag IS NOT NULL"
        ).iter_rows()
    )
    assert flags == {
        "Inception.2010.1080p.BluRay.x264.mkv": "sample",
        "Gladiator.2000.1080p.BluRay.x264.mkv": "truncated",
    }
    # Nothing new to look up: the store step writes nothing, so the file stays as it was (and
    # the snapshot is not copied again).
    matches = warehouse.frame("SELECT * FROM tmdb_file_matches ORDER BY file_id")
    warehouse.execute("CHECKPOINT")
    stamp = os.stat(warehouse.path).st_mtime_ns, os.stat(warehouse.path).st_size
    again = enrich(instance, config_file, warehouse)
    assert again["identities_looked_up"] == 0 and again["files_matched"] == matches.height
    assert warehouse.frame("SELECT * FROM tmdb_file_matches ORDER BY file_id").equals(matches)
    warehouse.execute("CHECKPOINT")
    assert (os.stat(warehouse.path).st_mtime_ns, os.stat(warehouse.path).st_size) == stamp

    double = media_file(warehouse, "Red Dwarf - S01E01E02 - The End + Future Echoes.mkv")
    assert (double["tmdb_episode_title"], double["tmdb_runtime"]) == ("The End / Future Echoes", 57)
    assert (
        media_file(warehouse, "Red Dwarf S01E03 Balance of Power (DVB).ts")["tmdb_episode_title"]
        == "Balance of Power"
    )

    # Seed 003's media/genres/people/credits, and the external ids provider_refs are made of.
    title = warehouse.frame(
        "SELECT m.original_language, m.runtime, m.spoken_languages, r.provider_key, "
        "list_sort(list(DISTINCT g.name)) AS genres "
        "FROM media m JOIN tmdb_external_ids r ON r.entity_id = m.id AND r.provider = 'imdb' "
        "JOIN media_genres mg ON mg.media_id = m.id JOIN genres g ON g.id = mg.genre_id "
        "WHERE m.title = 'Parasite' GROUP BY ALL"
    ).row(0, named=True)
    assert title == {
        "original_language": "ko",
        "runtime": 133,
        "spoken_languages": ["en", "ko"],
        "provider_key": "tt6751668",
        "genres": ["Comedy", "Drama", "Thriller"],
    }
    director = warehouse.frame(
        "SELECT p.name FROM media_credits c JOIN people p ON p.id = c.person_id "
        "JOIN media m ON m.id = c.media_id WHERE m.title = 'Inception' AND c.job = 'Director'"
    )
    assert director["name"].to_list() == ["Christopher Nolan"]

    # A second refresh asks TMDb nothing: every identity is settled and cached.
    sent = len(fake.requests)
    again = enrich(instance, config_file, warehouse)
    assert len(fake.requests) == sent
    assert (again["requests_sent"], again["identities_looked_up"]) == (0, 0)

    # A new episode of a known show is matched from cached responses alone.
    write_names(library_dirs, {"videos": ["TV/Red Dwarf/Season 01/Red.Dwarf.S01E05.mkv"]})
    scan(instance, config_file, warehouse, roots=("videos",))
    third = enrich(instance, config_file, warehouse)
    assert len(fake.requests) == sent
    assert third["identities_looked_up"] == 1 and third["cache_hits"] >= 3
    assert media_file(warehouse, "Red.Dwarf.S01E05.mkv")["tmdb_episode_title"] == (
        "Confidence and Paranoia"
    )


def test_without_a_key_enrichment_is_skipped_not_failed(
    fake: FakeTmdb,
    instance: dg.DagsterInstance,
    config_file: Path,
    warehouse: Warehouse,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TMDB_API_KEY")
    now = utc_now()
    names = DEMO_NAMES["videos"][:9]
    rows = [
        parsed_row(file_id_for("videos", p), "videos", p, parse_name(p, "mixed"), now)
        for p in names
    ]
    warehouse.replace_rows("parsed_names", parsed_frame(rows), where="true")

    meta = enrich(instance, config_file, warehouse)

    assert meta["skipped_without_key"] is True
    assert meta["identities_matched"] == 0 and meta["identities_skipped"] > 0
    assert fake.requests == []
    assert set(warehouse.frame("SELECT status FROM tmdb_matches")["status"]) == {"skipped"}
    assert warehouse.frame("SELECT count(*) AS n FROM tmdb_file_matches")["n"][0] == 0

    # Still no key: the skips stand as recorded, nothing is looked up or rewritten again.
    skipped = meta["identities_skipped"]
    meta = enrich(instance, config_file, warehouse)
    assert meta["skipped_without_key"] is True
    assert meta["identities_looked_up"] == 0 and meta["identities_skipped"] == skipped

    # Once a key is there, the skipped identities are looked up (they were never settled).
    monkeypatch.setenv("TMDB_API_KEY", API_KEY)
    meta = enrich(instance, config_file, warehouse)
    assert meta["skipped_without_key"] is False
    assert meta["identities_skipped"] == 0 and meta["identities_matched"] > 0
    assert meta["files_matched"] == len(names)
    assert len(fake.requests) == meta["requests_sent"] > 0


# Titles TMDb answers badly: search finds it but its details 404; its details body is broken
# (fixtures/tmdb/movie_949.json has no id); its details always fail with 500 (set in the test).
TROUBLE_NAMES = {
    "videos": [
        "Movies/Kill Switch (2017)/Kill.Switch.2017.1080p.WEB-DL.mkv",
        "Movies/Heat (1995)/Heat.1995.1080p.BluRay.mkv",
        "Movies/Pulp Fiction (1994)/Pulp.Fiction.1994.720p.mkv",
    ]
}
FAST_RETRIES = TmdbResource(backoff_seconds=0.01, max_retries=3)


def credits_of(warehouse: Warehouse, title: str) -> list[tuple[object, ...]]:
    return warehouse.frame(
        "SELECT p.name, c.credit_type, c.department, c.job, c.character_name "
        "FROM media_credits c JOIN people p ON p.id = c.person_id "
        "JOIN media m ON m.id = c.media_id WHERE m.title = ? ORDER BY ALL",
        [title],
    ).rows()


def test_real_payloads_and_bad_titles_never_break_a_run_and_the_cache_answers_reruns(
    fake: FakeTmdb,
    instance: dg.DagsterInstance,
    config_file: Path,
    library_dirs: dict[str, Path],
    warehouse: Warehouse,
) -> None:
    write_names(library_dirs, DEMO_NAMES)
    write_names(library_dirs, TROUBLE_NAMES)
    scan(instance, config_file, warehouse)
    fake.fail_next(429, retry_after="1")
    fake.fail_next(500, times=2)
    fake.fail_always("/movie/680")

    meta = enrich(instance, config_file, warehouse, FAST_RETRIES)

    # The run went on: every other title is matched to the right id.
    assert_expected_titles(warehouse)
    assert meta["titles_failed"] == 2
    assert (meta["lookup_errors"], meta["store_errors"]) == (1, 1)
    assert meta["requests_sent"] == len(fake.requests)
    assert meta["retries"] >= 3 + 3  # the injected 429 and 500s, Pulp Fiction's three retries
    trouble = {
        r["title"]: (r["status"], r["reason"])
        for r in warehouse.frame(
            "SELECT title, status, reason FROM tmdb_matches WHERE season IS NULL"
        ).iter_rows(named=True)
    }
    assert trouble["Kill Switch"] == ("unmatched", "TMDb has no movie 429393")
    assert trouble["Heat"][0] == "failed" and "could not be stored" in trouble["Heat"][1]
    assert trouble["Pulp Fiction"][0] == "failed" and "500" in trouble["Pulp Fiction"][1]
    assert "Heat" in str(meta["errors"]) and "Pulp Fiction" in str(meta["errors"])

    # What real details carry is stored: several jobs of one person in one department, a
    # person in cast and crew, repeats once, entries without an id left out.
    nolan = [c for c in credits_of(warehouse, "Inception") if c[0] == "Christopher Nolan"]
    assert nolan == [
        ("Christopher Nolan", "crew", "Directing", "Director", None),
        ("Christopher Nolan", "crew", "Production", "Producer", None),
        ("Christopher Nolan", "crew", "Writing", "Screenplay", None),
        ("Christopher Nolan", "crew", "Writing", "Story", None),
    ]
    inception_cast = [c[0] for c in credits_of(warehouse, "Inception") if c[1] == "cast"]
    assert sorted(inception_cast) == [
        "Elliot Page",
        "Joseph Gordon-Levitt",
        "Leonardo DiCaprio",
        "Tom Hardy",
    ]
    bong = {(c[1], c[3]) for c in credits_of(warehouse, "Parasite") if c[0] == "Bong Joon-ho"}
    assert bong == {
        ("cast", None),
        ("crew", "Director"),
        ("crew", "Screenplay"),
        ("crew", "Story"),
        ("crew", "Producer"),
    }
    assert ("Bong Joon-ho", "cast", "Acting", None, "봉준호 (cameo)") in credits_of(
        warehouse, "Parasite"
    )
    naylor = {c[3] for c in credits_of(warehouse, "Red Dwarf") if c[0] == "Doug Naylor"}
    assert naylor == {"Creator", "Writer"}
    episodes = warehouse.frame(
        "SELECT episode FROM tmdb_episodes WHERE show_tmdb_id = 326 ORDER BY episode"
    )["episode"].to_list()
    assert episodes == [1, 2, 3, 4, 5, 6]  # episode 1 is listed twice in the season body
    titles = {
        r["title"]: r
        for r in warehouse.frame(
            "SELECT title, collection_name, video, adult, genres, vote_average, overview, "
            "spoken_languages FROM tmdb_titles"
        ).iter_rows(named=True)
    }
    assert titles["The Matrix"]["collection_name"] == "The Matrix Collection"
    assert titles["The Matrix"]["spoken_languages"] == ["en"]
    assert (titles["Parasite"]["vote_average"], titles["Parasite"]["overview"]) == (None, None)
    assert "TV Movie" in titles["Inception"]["genres"]  # a genre id no list here knows
    assert titles["Inception"]["video"] is False and titles["Inception"]["adult"] is False
    assert (
        warehouse.frame(
            "SELECT count(*) AS n FROM media_genres mg JOIN genres g ON g.id = mg.genre_id "
            "WHERE g.tmdb_genre_id = 10770"
        )["n"][0]
        == 1
    )

    # A re-run asks only what was never answered: Pulp Fiction's details (TMDb works again).
    # Heat's broken body comes from the cache and fails again, costing no request.
    fake.repair("/movie/680")
    sent = len(fake.requests)
    again = enrich(instance, config_file, warehouse, FAST_RETRIES)
    assert [r.path for r in fake.requests[sent:]] == ["/movie/680"]
    assert again["requests_sent"] == 1 and again["cache_hits"] >= 2
    assert (again["identities_looked_up"], again["titles_failed"]) == (2, 1)
    assert media_file(warehouse, "Pulp.Fiction.1994.720p.mkv")["tmdb_title"] == "Pulp Fiction"

    third = enrich(instance, config_file, warehouse, FAST_RETRIES)
    assert len(fake.requests) == sent + 1
    assert (third["requests_sent"], third["identities_looked_up"]) == (0, 1)
    assert third["cache_hits"] >= 1


def test_details_cached_before_the_ratings_and_videos_were_appended_are_fetched_again(
    fake: FakeTmdb,
    instance: dg.DagsterInstance,
    config_file: Path,
    library_dirs: dict[str, Path],
    warehouse: Warehouse,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_names(
        library_dirs,
        {
            "videos": [
                "Movies/The Matrix (1999)/The.Matrix.1999.720p.BluRay.x264.mkv",
                "TV/Red Dwarf/Season 01/Red Dwarf - S01E02 - Future Echoes.webm",
            ]
        },
    )
    scan(instance, config_file, warehouse, roots=("videos",))
    with monkeypatch.context() as before:  # the details request this code made until now
        before.setattr(
            tmdb_client,
            "details_request",
            lambda kind, tmdb_id: (
                f"/{kind}/{tmdb_id}",
                {"append_to_response": "credits,external_ids"},
            ),
        )
        enrich(instance, config_file, warehouse)
    facts = "SELECT title, maturity_rating, trailer_url FROM tmdb_titles ORDER BY title"
    # The bodies have no ratings or videos: those columns stay empty, nothing fails.
    assert warehouse.frame(facts).rows() == [("Red Dwarf", None, None), ("The Matrix", None, None)]

    sent = len(fake.requests)
    meta = enrich(instance, config_file, warehouse)

    # Both titles were looked up again; only their details were asked (searches, seasons: cache).
    asked = sorted((r.path, r.params.get("append_to_response")) for r in fake.requests[sent:])
    assert asked == [("/movie/603", DETAILS_APPENDED["movie"]), ("/tv/326", DETAILS_APPENDED["tv"])]
    assert meta["identities_looked_up"] == 2
    assert warehouse.frame(facts).rows() == [
        ("Red Dwarf", "TV-PG", None),
        ("The Matrix", "R", "https://www.youtube.com/watch?v=9ix7TUGVYIo"),
    ]
    sent = len(fake.requests)
    assert enrich(instance, config_file, warehouse)["identities_looked_up"] == 0
    assert len(fake.requests) == sent

    # Without a key, the titles keep what they have rather than becoming "skipped".
    monkeypatch.delenv("TMDB_API_KEY")
    warehouse.execute("DELETE FROM tmdb_cache WHERE request_key LIKE '/movie/603?%'")
    assert enrich(instance, config_file, warehouse)["identities_skipped"] == 0
    assert warehouse.frame(facts).rows()[1] == (
        "The Matrix",
        "R",
        "https://www.youtube.com/watch?v=9ix7TUGVYIo",
    )
