"""Seed 003's rules in the pure domain: ratings, custom fields, presets, following titles,
recommendation scores, the lexical search and the ranking by embedding vectors."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mediavault_assets.domain.genre_taxonomy import taxonomy
from mediavault_assets.domain.recommend import Candidate, checked_criteria, recommend
from mediavault_assets.domain.semantic_search import (
    SearchDoc,
    document,
    document_hash,
    embedding_tasks,
    search,
    semantic_search,
)
from mediavault_assets.domain.watching import (
    CustomField,
    FileTitle,
    TitleRef,
    Watch,
    WatchingError,
    checked_event,
    checked_field_name,
    checked_rating,
    checked_value,
    followed_titles,
    watch_signals,
)


@pytest.mark.parametrize("value", ["-0.1", "10.1", "8.55", "abc", True, "nan"])
def test_ratings_outside_the_seed_range_are_refused(value: object) -> None:
    with pytest.raises(WatchingError):
        checked_rating(value)  # type: ignore[arg-type]


def test_ratings_keep_one_decimal() -> None:
    assert str(checked_rating("8.5")) == "8.5" and str(checked_rating(10)) == "10.0"


@pytest.mark.parametrize("name", ["bad-name", "with space", "", "ümlaut"])
def test_custom_field_names_are_alphanumeric(name: str) -> None:
    with pytest.raises(WatchingError):
        checked_field_name(name)


def test_custom_field_values_follow_their_rules() -> None:
    score = CustomField("score", "Score", "number", validation_rules={"min": 0, "max": 10})
    assert checked_value(score, "7") == 7
    with pytest.raises(WatchingError, match="at most 10"):
        checked_value(score, "11")
    tags = CustomField("moods", "Moods", "multi-select", ("light", "dark"))
    assert checked_value(tags, "dark, light") == ["dark", "light"]
    with pytest.raises(WatchingError, match="not one of"):
        checked_value(tags, "grim")


def test_events_more_than_five_years_back_are_refused() -> None:
    checked_event("watch", date(2022, 1, 1), date(2026, 12, 1))
    with pytest.raises(WatchingError, match="5 years"):
        checked_event("watch", date(2020, 1, 1), date(2026, 12, 1))
    with pytest.raises(WatchingError, match="hex"):
        checked_event("custom", date(2026, 12, 1), date(2026, 12, 1), color="red")


def test_criteria_must_be_json_with_known_criteria_and_weights() -> None:
    with pytest.raises(WatchingError, match="JSON"):
        checked_criteria("{", [])
    with pytest.raises(WatchingError, match="unknown criterion"):
        checked_criteria({"vibes": {"weight": 1}}, [])
    with pytest.raises(WatchingError, match="weight"):
        checked_criteria({"min_rating": {"weight": 3, "value": 7}}, [])
    with pytest.raises(WatchingError, match="no custom field"):
        checked_criteria({"custom_field_mood": {"weight": 1, "value": "x"}}, [])
    assert checked_criteria({"custom_field_mood": {"weight": 1, "value": "x"}}, ["mood"])


def test_data_follows_a_title_that_got_its_tmdb_match() -> None:
    old = TitleRef(1, "movie", "Heat", 1995, name_keys=("movie|heat|1995",))
    new = TitleRef(2, "movie", "Heat", 1995, "movie", 949, ("movie|heat|1995",))
    assert followed_titles([old], [new]) == {1: 2}
    twin = TitleRef(3, "movie", "Heat", 1995, "movie", 950, ("movie|heat|1995",))
    assert followed_titles([old], [new, twin]) == {}  # ambiguous: nothing moves


def test_recommendations_leave_out_watched_titles_and_explain_each_criterion() -> None:
    config = {
        "genre": {"weight": 1.0, "values": ["sci-fi", "action"]},
        "runtime": {"weight": 0.5, "min": 90, "max": 150},
    }
    titles = [
        Candidate(1, "The Matrix", 1999, "movie", genres=("sci-fi", "action"), runtime=136),
        Candidate(2, "Arrival", 2016, "movie", genres=("sci-fi",), runtime=116),
        Candidate(3, "Heat", 1995, "movie", genres=("crime", "action"), runtime=170),
    ]
    results = recommend(titles, config, watched=[1])
    assert [r.title for r in results] == ["Arrival", "Heat"]
    assert results[0].score == pytest.approx(100 * (0.5 + 0.5) / 1.5, abs=0.1)
    assert "is sci-fi" in results[0].explanation and "above 90–150 min" in results[1].explanation


FUNNIER_DOCS = [
    SearchDoc(
        1,
        "Blade Runner",
        "a blade runner hunts replicants in a dystopian future",
        ("science-fiction", "thriller"),
    ),
    SearchDoc(
        2,
        "Galaxy Quest",
        "actors of a space show meet aliens in the future",
        ("science-fiction", "comedy"),
    ),
    SearchDoc(3, "Gattaca", "a dystopian future of genetic hunts", ("science-fiction", "drama")),
    SearchDoc(4, "Notting Hill", "a bookseller falls for a film star", ("romance", "comedy")),
]


def test_like_blade_runner_but_funnier_prefers_funny_science_fiction() -> None:
    hits = search("something like Blade Runner but funnier", FUNNIER_DOCS)
    assert [h.title for h in hits][:1] == ["Galaxy Quest"]
    assert "Blade Runner" not in [h.title for h in hits]
    assert "like Blade Runner" in hits[0].why and "comedy" in hits[0].why


def test_only_new_or_changed_documents_are_embedded_again() -> None:
    blade, quest = FUNNIER_DOCS[:2]
    assert document(quest) == (
        "Galaxy Quest. actors of a space show meet aliens in the future "
        "Genres: science-fiction, comedy."
    )
    stored = {blade.media_id: document_hash(document(blade)), quest.media_id: "stale"}
    tasks = embedding_tasks(FUNNIER_DOCS, stored)
    assert [t.media_id for t in tasks] == [2, 3, 4]
    assert tasks[0].document_hash == document_hash(tasks[0].text) != "stale"
    long = SearchDoc(9, "Long", "word " * 5000)
    assert len(embedding_tasks([long], {})[0].text) == 8000  # under a model's input limit


def test_vectors_rank_by_meaning_blended_with_words() -> None:
    # Made-up 3-d "meanings": (sci-fi, comedy, romance).
    vectors = {1: [1.0, 0.0, 0.0], 2: [0.7, 0.7, 0.0], 3: [0.9, 0.1, 0.0], 4: [0.0, 0.6, 0.8]}
    wish = [0.6, 0.8, 0.0]
    hits = semantic_search("something like Blade Runner but funnier", wish, FUNNIER_DOCS, vectors)
    assert [h.title for h in hits] == ["Galaxy Quest", "Gattaca", "Notting Hill"]
    assert hits[0].why.startswith("close in meaning (cosine 0.99); like Blade Runner")
    assert hits[0].score == 1.0  # the closest vector and the best lexical score
    # A title without a vector yet (new since the refresh) still answers by its words.
    hits = semantic_search("bookseller", [0.0, 0.0, 1.0], FUNNIER_DOCS, {1: [1.0, 0.0, 0.0]})
    assert [h.title for h in hits] == ["Notting Hill"]  # Blade Runner: cosine 0, no words
    assert hits[0].why == "matches bookseller" and hits[0].score == 0.3


def test_recent_watches_and_plans_mark_files_but_old_watches_do_not() -> None:
    heat = TitleRef(1, "movie", "Heat", 1995, name_keys=("movie|heat|1995",))
    file = FileTitle(10, "movie|heat|1995", None, None, None, ())
    now = datetime(2026, 12, 7, 12)
    recent = watch_signals([file], [heat], [Watch(1, datetime(2026, 12, 4))], [], now=now)
    assert recent == {10: "You watched Heat (1995) 3 days ago (2026-12-04, within 30 days)"}
    old = watch_signals([file], [heat], [Watch(1, datetime(2026, 1, 4))], [], now=now)
    assert old == {}


def test_taxonomy_slugs_and_tmdb_ids_are_unique() -> None:
    genres = taxonomy()
    assert len({g.slug for g in genres}) == len(genres)
    tmdb_ids = [g.tmdb_genre_id for g in genres if g.tmdb_genre_id is not None]
    assert len(set(tmdb_ids)) == len(tmdb_ids) == 4
