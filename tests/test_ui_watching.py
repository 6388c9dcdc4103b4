"""The Watching page (seed 003) under AppTest on the refreshed demo: review, log a watch, plan a
watch, define and fill a custom field, the calendar, a recommendation preset and the search,
each checked in the review store it writes (and, for the plan signal, in what the plan reads)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from test_ui_app import (  # noqa: F401 (fixtures)
    MAIN,
    _app_process_state,
    app_config,
    assert_clean,
    library,
    texts,
)

from mediavault_assets import watching
from mediavault_assets.presentation import plain
from mediavault_ui.data import Library


def _page(view: str, media_id: int | None = None) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.run()
    at.switch_page("../pages/watching.py")
    at.session_state["watching_view"] = view
    if media_id is not None:
        at.session_state["watching_title"] = media_id
    return at.run()


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def blade_runner(library: Library) -> watching.TitleRef:
    return watching.resolve_title(library.settings, "Blade Runner")


def test_a_title_is_reviewed_watched_and_planned(
    library: Library, blade_runner: watching.TitleRef
) -> None:
    at = _page("Title", blade_runner.media_id)
    assert_clean(at)
    assert at.title[0].value == "Watching"
    assert "Blade Runner" in texts(at)
    files = at.dataframe[-1].value
    assert len(files) >= 1 and files["filepath"].str.contains("Blade Runner").all()

    next(s for s in at.slider if s.label == "Rating").set_value(8.5)
    next(t for t in at.text_area if t.label == "Review").input("Rain, neon, and **owls**")
    next(t for t in at.text_input if t.label == "Tags (comma-separated)").input("noir, rainy")
    _button(at, "Save review").click().run()
    assert_clean(at)
    store = watching.store_for(library.settings)
    [review] = store.reviews(blade_runner.media_id)
    assert (float(review.rating), review.review_text, review.tags) == (
        8.5,
        "Rain, neon, and **owls**",
        ["noir", "rainy"],
    )
    assert plain("Review of Blade Runner saved: 8.5/10.") in texts(at)

    next(n for n in at.number_input if n.label == "Minutes watched").set_value(117)
    next(t for t in at.text_input if t.label == "With whom / where").input("family")
    _button(at, "Log watch").click().run()
    [watch] = store.watches(blade_runner.media_id)
    assert (watch.watch_duration, watch.completed, watch.watch_source, watch.watch_context) == (
        117,
        True,
        "file",
        "family",
    )
    assert at.dataframe[0].value["minutes"].to_list() == [117]  # the watch history table

    _button(at, "Plan").click().run()
    [event] = store.events()
    assert (event.event_type, event.media_id) == ("watch", blade_runner.media_id)
    # The plan reads the store: a watched and planned title's files are never auto-approved.
    _, watches, planned = store.plan_signals()
    assert blade_runner.media_id in {w.media_id for w in watches}
    assert blade_runner.media_id in {p.media_id for p in planned}

    calendar = _page("Calendar")
    assert_clean(calendar)
    today = datetime.now(UTC).date()
    assert [m.value for m in calendar.markdown if "Blade Runner" in m.value] == [
        plain("Blade Runner · watch")
    ]
    assert f"**{today:%A %d %B %Y}**" in texts(calendar)


def test_custom_fields_are_defined_validated_and_set(
    library: Library, blade_runner: watching.TitleRef
) -> None:
    at = _page("Custom fields")
    assert_clean(at)
    name = next(t for t in at.text_input if t.label == "Name (letters, digits, _)")
    name.input("bad name!")
    _button(at, "Define field").click().run()
    assert at.error and "field" in at.error[0].value
    store = watching.store_for(library.settings)
    assert store.fields() == []

    name = next(t for t in at.text_input if t.label == "Name (letters, digits, _)")
    name.input("mood")
    next(s for s in at.selectbox if s.label == "Type").set_value("select")
    next(t for t in at.text_input if t.label.startswith("Options")).input("cosy, tense, silly")
    _button(at, "Define field").click().run()
    assert_clean(at)
    assert [(f.field_name, f.field_type, f.field_options) for f in store.fields()] == [
        ("mood", "select", ("cosy", "tense", "silly"))
    ]
    assert at.dataframe[0].value["name"].to_list() == ["mood"]

    # A number with rules: the page refuses what the rules refuse, and saves nothing.
    next(t for t in at.text_input if t.label == "Name (letters, digits, _)").input("rewatch")
    next(s for s in at.selectbox if s.label == "Type").set_value("number")
    next(t for t in at.text_input if t.label.startswith("Options")).input("")
    next(t for t in at.text_input if t.label.startswith("Validation")).input(
        '{"min": 0, "max": 10}'
    )
    _button(at, "Define field").click().run()
    assert_clean(at)

    title = _page("Title", blade_runner.media_id)
    next(s for s in title.selectbox if s.label == "Mood").set_value("tense")
    next(t for t in title.text_input if t.label == "Rewatch").input("12")
    _button(title, "Save fields").click().run()
    assert title.error and "rewatch is at most 10, not 12" in title.error[0].value
    assert store.field_values(blade_runner.media_id) == {}
    next(t for t in title.text_input if t.label == "Rewatch").input("9")
    _button(title, "Save fields").click().run()
    assert_clean(title)
    assert store.field_values(blade_runner.media_id) == {
        blade_runner.media_id: {"mood": "tense", "rewatch": 9}
    }
    assert plain("mood: tense · rewatch: 9") in texts(title)


def test_recommendations_and_search_answer_on_the_demo(
    library: Library, blade_runner: watching.TitleRef
) -> None:
    store = watching.store_for(library.settings)
    store.log_watch(blade_runner, by="tester")
    # Offline (no TMDb overviews), the search reads the person's own words.
    store.review(blade_runner, 9, by="tester", text="Neo-noir sci-fi in the rain", tags=["noir"])
    red_dwarf = watching.resolve_title(library.settings, "Red Dwarf")
    store.review(red_dwarf, 8, by="tester", text="Sci-fi in space, hilarious", tags=["comedy"])
    at = _page("Recommendations")
    assert_clean(at)
    preset = next(s for s in at.selectbox if s.label == "Preset").value
    used = store.preset(preset).use_count
    _button(at, "Recommend").click().run()
    assert_clean(at)
    assert store.preset(preset).use_count == used + 1
    shown = texts(at)
    assert plain(f"Preset {preset}, used {used + 1} times.") in shown
    assert "Blade Runner" not in shown  # watched: not recommended
    assert "**" in shown  # at least one title, with its criteria below

    search = _page("Search")
    next(t for t in search.text_input if t.label.startswith("What would")).input(
        "something like Blade Runner but funnier"
    )
    _button(search, "Search").click().run()
    assert_clean(search)
    hits = watching.similar(library.settings, "something like Blade Runner but funnier")
    assert hits[0].title == "Red Dwarf" and "Blade Runner" not in [h.title for h in hits]
    assert hits[0].why == "like Blade Runner: shares sci, fi; comedy (asked for funnier)"
    said = texts(search)
    assert plain("Answered by lexical (offline) search.") in said
    assert all(plain(h.title) in said and plain(h.why) in said for h in hits)
