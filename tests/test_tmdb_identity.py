"""Issue 13's "done when": `mediavault refresh` of the demo library with a key, against the fake
TMDb (decoys, repeated credits, 429 and 500): every title matched to the right id, a second
refresh asks nothing, TMDb identity groups files whose names disagree, and a person's manual
match (review store) is used by the next refresh and survives the ones after it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import polars as pl
import pytest
from fake_tmdb import API_KEY, FakeTmdb, clear_proxy_env, running_fake_tmdb

from mediavault_assets import sql_files
from mediavault_assets.chat.router import answer
from mediavault_assets.chat.safe_sql import SafeSql
from mediavault_assets.cli import demo_settings
from mediavault_assets.demo.demo_library import generate_demo_library
from mediavault_assets.demo.media_factory import AudioSpec, VideoSpec, make_video
from mediavault_assets.orchestration import prepare_dagster_home, refresh
from mediavault_assets.presentation import plain
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.settings import Settings, load_settings, write_settings
from mediavault_assets.warehouse import snapshot_path_for
from mediavault_assets.watching import calendar, recommend_titles, resolve_title
from tests.test_ui_app import (
    _app_process_state,  # noqa: F401 (an autouse fixture: the app serves 127.0.0.1)
    assert_clean,
    open_page,
    select_rows,
    texts,
    ui_settings,
)

pytestmark = pytest.mark.slow
# The TMDb matches page's rows, in its order (ambiguous first).
TITLE_KEYS = sql_files.query("app/tmdb_title_matches")

# Files added to the demo library: each names a title the way another release group would.
EXTRA_FILES = {
    # No year: by its name alone never compared with "Inception (2010)".
    ("docker", "media/Inception.720p.mkv"): VideoSpec(width=1280, height=720, seed=90),
    # The English title of "Le Fabuleux Destin d'Amélie Poulain".
    ("docker", "media/Amelie (2001) 1080p.mkv"): VideoSpec(
        width=1920, height=1080, seed=91, audio=(AudioSpec("aac", "fra"),)
    ),
    # Two shows named "Doctor Who": the name without a year is ambiguous on TMDb.
    ("videos", "TV/Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E01 - Rose.mkv"): VideoSpec(
        width=1280, height=720, seed=92
    ),
    ("docker", "media/tv/Doctor.Who.S01E01.mkv"): VideoSpec(width=640, height=360, seed=93),
}
# File name prefix (lower-case letters and digits) → the TMDb id it must be matched to.
EXPECTED_IDS = {
    "inception": 27205,
    "reddwarf": 326,
    "thematrix": 603,
    "parasite": 496243,
    "thegodfather": 238,
    "bladerunner": 78,
    "lefabuleux": 194,
    "amelie": 194,
    "crouchingtiger": 146,
    "spiritedaway": 129,
    "gladiator": 98,
    "doctorwho2005": 57243,
    "doctorwhos01e01": None,  # ambiguous: 1963 or 2005
}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTmdb]:
    clear_proxy_env(monkeypatch)
    with running_fake_tmdb() as server:
        monkeypatch.setenv("TMDB_API_BASE_URL", server.base_url)
        monkeypatch.setenv("TMDB_API_KEY", API_KEY)
        yield server


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, Path]]:
    library = tmp_path / "library"
    generate_demo_library(library)
    for (root, relative), spec in EXTRA_FILES.items():
        path = library / "volume1" / root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        make_video(path, spec)
    config = write_settings(demo_settings(library), tmp_path / "mediavault.yaml")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    prepare_dagster_home(tmp_path / "dagster_home")
    yield load_settings(config), config
    os.environ.pop("DAGSTER_HOME", None)


def query(settings: Settings, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


def refreshed(settings: Settings, config: Path) -> None:
    outcomes = refresh(settings, config, trigger="manual", echo=lambda _: None)
    assert outcomes and all(o.success for o in outcomes), [o.summary for o in outcomes]


def matched_ids(settings: Settings) -> dict[str, int | None]:
    rows = query(
        settings, "SELECT relative_path, tmdb_id FROM media_files WHERE extra_kind IS NULL"
    )
    found = {}
    for path, tmdb_id in rows.iter_rows():
        name = "".join(c for c in path.rsplit("/", 1)[-1].lower() if c.isalnum())
        found[name] = tmdb_id
    return found


def assert_expected_ids(found: dict[str, int | None], **changed: int | None) -> None:
    expected = {**EXPECTED_IDS, **changed}
    for name, tmdb_id in found.items():
        prefix = max((k for k in expected if name.startswith(k)), key=len)
        assert tmdb_id == expected[prefix], name


def group_of(settings: Settings, relative_path: str) -> set[str]:
    """The relative paths in the (first) duplicate group of a file, itself included."""
    rows = query(
        settings,
        "SELECT f.relative_path FROM duplicate_members m JOIN media_files f ON f.id = m.file_id "
        "WHERE m.group_id = (SELECT min(m2.group_id) FROM duplicate_members m2 "
        "JOIN media_files f2 ON f2.id = m2.file_id WHERE f2.relative_path = ?)",
        [relative_path],
    )
    return set(rows["relative_path"].to_list())


def reason_of(settings: Settings, relative_path: str) -> str:
    rows = query(
        settings,
        "SELECT p.deletion_reason FROM pending_deletions p JOIN media_files f ON f.id = p.file_id "
        "WHERE f.relative_path = ?",
        [relative_path],
    )
    return rows["deletion_reason"][0] if rows.height else ""


def test_demo_refresh_with_tmdb_matches_groups_and_keeps_a_manual_match(
    fake: FakeTmdb,
    demo: tuple[Settings, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, config = demo
    fake.fail_next(429, retry_after="1")
    fake.fail_next(500, times=2)

    refreshed(settings, config)

    # Every title is matched to the right id; nothing failed.
    assert_expected_ids(matched_ids(settings))
    failed = query(settings, "SELECT title FROM tmdb_matches WHERE status = 'failed'")
    assert failed.height == 0
    assert {r.status for r in fake.requests} >= {429, 500, 200}

    # The names disagree (a year missing, another language); the TMDb id groups them.
    inception = group_of(settings, "media/Inception.720p.mkv")
    assert "Movies/Inception (2010)/Inception.2010.1080p.BluRay.x264.mkv" in inception
    amelie = group_of(settings, "media/Amelie (2001) 1080p.mkv")
    assert "Movies/Amélie (2001)/Le Fabuleux Destin d'Amélie Poulain 2001 720p.mkv" in amelie
    assert "Same title by TMDb id 27205, although the names differ." in reason_of(
        settings, "media/Inception.720p.mkv"
    )
    # The bare "Doctor Who" is ambiguous: its name alone puts it with the 2005 episode.
    bare = "media/tv/Doctor.Who.S01E01.mkv"
    assert "TV/Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E01 - Rose.mkv" in group_of(
        settings, bare
    )

    # The original language still feeds the language rules: the untagged AVI audio of an
    # English show is English.
    avi = query(
        settings,
        "SELECT audio_languages, has_english_audio, tmdb_original_language FROM media_files "
        "WHERE relative_path = 'media/tv/Red.Dwarf.S01E01.WonderCrew.avi'",
    ).row(0)
    assert avi == (["en"], True, "en")

    # Seed 003's media from the appended details: the US certification and the age it names,
    # countries, tagline, status, backdrop and trailer; a show's next episode is on the calendar.
    media = {
        r["title"]: r
        for r in query(
            settings,
            "SELECT title, maturity_rating, recommended_age_min, production_countries, tagline, "
            "status, backdrop_path, trailer_url FROM media WHERE tmdb_id IS NOT NULL",
        ).iter_rows(named=True)
    }
    assert media["The Matrix"] == {
        "title": "The Matrix",
        "maturity_rating": "R",
        "recommended_age_min": 17,
        "production_countries": ["AU", "US"],
        "tagline": "Welcome to the Real World.",
        "status": "Released",
        "backdrop_path": "/b603.jpg",
        "trailer_url": "https://www.youtube.com/watch?v=9ix7TUGVYIo",
    }
    assert media["Red Dwarf"] == {
        "title": "Red Dwarf",
        "maturity_rating": "TV-PG",
        "recommended_age_min": 10,
        "production_countries": ["GB"],
        "tagline": None,  # TMDb sends ""
        "status": "Ended",
        "backdrop_path": "/b326.jpg",
        "trailer_url": None,  # no videos
    }
    assert media["Spirited Away"]["maturity_rating"] == "PG"
    releases = [e for e in calendar(settings, since=date(2027, 1, 1)) if e["source"] == "tmdb"]
    assert [(e["event_date"], e["title"], e["description"]) for e in releases] == [
        (date(2027, 4, 15), "Doctor Who S02E01", "New Earth")
    ]

    # The chat sees genres and cast, and answers the genre question offline.
    chat = SafeSql(snapshot_path_for(settings.warehouse_path))
    scifi = answer("Which sci-fi movies have duplicates?", chat)
    assert scifi.intent.name == "genre_duplicates"
    assert "Inception (2010)" in scifi.text and "The Matrix (1999)" in scifi.text
    assert "Amélie" not in scifi.text and "Parasite" not in scifi.text
    cast = chat.run(
        "SELECT DISTINCT tmdb_cast, tmdb_genres FROM chat_media_files WHERE tmdb_title = 'Amélie'"
    )
    assert cast.records() == [
        {"tmdb_cast": ["Audrey Tautou"], "tmdb_genres": ["Comedy", "Romance"]}
    ]

    # A second refresh asks TMDb nothing.
    sent = len(fake.requests)
    refreshed(settings, config)
    assert len(fake.requests) == sent

    # The Library page shows the match; the TMDb matches page lists the ambiguous name first.
    monkeypatch.setenv(
        "MEDIAVAULT_CONFIG",
        str(
            ui_settings(
                tmp_path,
                SimpleNamespace(settings=settings),
                app_store_path=str(settings.app_store_path),
            )
        ),
    )
    at = open_page("library")
    at.text_input[0].input("Inception.720p")
    at.run()
    inception_id = query(
        settings, "SELECT id FROM media_files WHERE relative_path = 'media/Inception.720p.mkv'"
    )["id"][0]
    at = select_rows(at, "library_rows", [inception_id], [0])
    assert_clean(at)
    shown = texts(at)
    for fact in (
        "Inception (2010)",
        "TMDb movie 27205",
        "Rating 8.4/10",
        "Original language: en",
        "Match confidence: 80%",
        "Science Fiction",
        "Leonardo DiCaprio",
        "/t/p/w342/m27205",  # the poster address, never loaded (no request to TMDb)
        "Overview of Inception",
    ):
        assert fact in shown, fact

    # The Watching page shows a title's TMDb facts; a preset scores the unwatched by them.
    matrix = resolve_title(settings, "The Matrix")
    at = open_page("watching", title=str(matrix.media_id))
    assert_clean(at)
    shown = texts(at)
    assert "### The Matrix (1999)" in shown
    for fact in ("rated R", "Welcome to the Real World.", "Keanu Reeves"):
        assert plain(fact) in shown, fact
    _, picks = recommend_titles(settings)
    assert picks[0].score > 0 and "TMDb" in picks[0].explanation, picks[0]

    # A person says the bare name is the 1963 show, on the TMDb matches page (the review store).
    at = open_page("matches")
    assert_clean(at)
    table = at.dataframe[0].value
    assert (table["name"][0], table["status"][0]) == ("Doctor Who", "ambiguous")
    at = select_rows(at, "tmdb_matches", list(query(settings, TITLE_KEYS)["identity_key"]), [0])
    options = " | ".join(at.radio[0].options)  # markup-escaped: "Doctor Who \\(2005\\) ..."
    assert "TMDb 57243" in options and "TMDb 121" in options
    next(n for n in at.number_input if n.label.startswith("Or a TMDb")).set_value(121)
    next(b for b in at.button if b.label == "Use this match").click()
    at.run()
    assert_clean(at)
    assert "the next refresh uses TMDb id 121 for Doctor Who" in texts(at)
    key = query(settings, TITLE_KEYS)["identity_key"][0]
    assert ReviewStore(settings.app_store_path).manual_tmdb_matches() == {key: 121}

    refreshed(settings, config)
    # Only that title's details (and its season) were fetched: no search.
    assert sorted(r.path for r in fake.requests[sent:]) == ["/tv/121", "/tv/121/season/1"]
    assert_expected_ids(matched_ids(settings), doctorwhos01e01=121)
    assert group_of(settings, bare) == set()  # two shows now: never one group

    # It survives further refreshes, costing no request.
    sent = len(fake.requests)
    refreshed(settings, config)
    assert len(fake.requests) == sent
    assert_expected_ids(matched_ids(settings), doctorwhos01e01=121)
    match = query(
        settings, "SELECT tmdb_id, reason FROM tmdb_matches WHERE identity_key = ?", [key]
    ).row(0)
    assert match == (121, "matched by hand")
