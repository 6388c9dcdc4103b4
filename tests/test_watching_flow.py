"""Seed 003's watching data as a person uses it: the CLI writes the review store, a refresh
mirrors it into the warehouse under the seed's names, and a watched title is never staged
automatically. Real files, real refreshes, the real `mediavault` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediavault_assets.reviewing import awaiting_review
from mediavault_assets.settings import load_settings
from mediavault_assets.snapshot import read_snapshot
from tests.test_curation_flow import _refreshed, library, mediavault  # noqa: F401

pytestmark = pytest.mark.slow


def test_review_watch_plan_fields_recommend_and_search_reach_the_warehouse(
    library: Path,
) -> None:
    settings = load_settings(library)
    _refreshed(settings, library)
    [row] = awaiting_review(settings).to_dicts()
    assert row["auto_approved"]  # nobody watched Heat yet

    mediavault(
        library,
        "review",
        "heat 1995",
        "--rating",
        "8.5",
        "--text",
        "Tense, long.",
        "--tags",
        "tense,crime",
    )
    assert "0.0 to 10.0" in mediavault(library, "review", "Heat", "--rating", "11", ok=False).stderr
    assert "no title like" in mediavault(library, "review", "Zzz", "--rating", "5", ok=False).stderr
    mediavault(library, "watch", "Heat", "--duration", "170", "--source", "NAS")
    mediavault(library, "plan-watch", "Ronin", "--date", "2099-01-01")
    assert (
        "5 years"
        in mediavault(library, "plan-watch", "Ronin", "--date", "2001-01-01", ok=False).stderr
    )
    mediavault(
        library, "custom-field", "define", "mood", "--type", "select", "--options", "light,dark"
    )
    assert (
        "letters, digits"
        in mediavault(library, "custom-field", "define", "bad-name", ok=False).stderr
    )
    mediavault(library, "custom-field", "set", "Ronin", "mood", "dark")
    assert (
        "not one of"
        in mediavault(library, "custom-field", "set", "Ronin", "mood", "sunny", ok=False).stderr
    )
    mediavault(
        library,
        "preset",
        "Dark ones",
        json.dumps({"custom_field_mood": {"weight": 1.0, "value": "dark"}}),
    )
    assert "not valid JSON" in mediavault(library, "preset", "Bad", "{", ok=False).stderr

    rec = json.loads(mediavault(library, "recommend", "--preset", "Dark ones", "--json").stdout)
    # Heat is watched: only Ronin is left, and its custom field matched.
    assert [t["title"] for t in rec["titles"]] == ["Ronin"]
    assert rec["titles"][0]["score"] == 100.0 and rec["use_count"] == 1
    hits = json.loads(mediavault(library, "similar", "tense", "crime", "--json").stdout)
    assert hits["titles"] and hits["titles"][0]["title"] == "Heat"
    assert hits["method"] == "lexical (offline)"  # no key: no vectors, nothing asked
    assert "title(s), lexical (offline)." in mediavault(library, "similar", "tense").stdout

    _refreshed(settings, library)
    [row] = awaiting_review(settings).to_dicts()
    assert not row["auto_approved"]
    assert "You watched Heat (1995) today" in row["reason"]
    assert "a person decides" in row["reason"]

    tables = {
        name: read_snapshot(settings, f"SELECT * FROM {name}")
        for name in (
            "user_reviews",
            "watch_history",
            "calendar_events",
            "recommendation_criteria",
            "custom_fields_schema",
            "media_custom_fields",
        )
    }
    assert {n: t.height for n, t in tables.items()} == {
        "user_reviews": 1,
        "watch_history": 1,
        "calendar_events": 1,
        "recommendation_criteria": 2,
        "custom_fields_schema": 1,
        "media_custom_fields": 1,
    }
    review = tables["user_reviews"].row(0, named=True)
    assert float(review["rating"]) == 8.5 and json.loads(review["tags"]) == ["tense", "crime"]
    media = read_snapshot(
        settings, "SELECT title, user_rating, custom_fields, on_disk FROM media ORDER BY title"
    )
    assert media["title"].to_list() == ["Heat", "Ronin"]
    assert [None if r is None else float(r) for r in media["user_rating"]] == [8.5, None]
    assert json.loads(media["custom_fields"][1]) == {"mood": "dark"}
    presets = tables["recommendation_criteria"]
    assert dict(zip(presets["name"], presets["use_count"], strict=True))["Dark ones"] == 1
    subgenres = read_snapshot(
        settings,
        "SELECT p.slug AS family, count(*) AS n FROM genres AS g "
        "JOIN genres AS p ON p.id = g.parent_genre_id GROUP BY p.slug",
    )
    assert dict(zip(subgenres["family"], subgenres["n"], strict=True)) == {
        "film-noir": 6,
        "science-fiction": 9,
        "documentary": 6,
        "comedy": 8,
        "anime": 13,
        "action": 8,
        "iranian-cinema": 4,
        "multi-genre": 6,
    }
