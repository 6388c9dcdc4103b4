"""Matching parsed names to TMDb results, reading TMDb bodies, and the runtime check (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl
import pytest
from fake_tmdb import (
    MOVIES,
    RECORDED,
    SHOWS,
    movie_details,
    movie_result,
    season_details,
    show_details,
)

from mediavault_assets.defs.metadata.assets import LibraryIdentities
from mediavault_assets.domain.tmdb_matching import (
    MANUAL_MATCH_REASON,
    Candidate,
    TitleIdentity,
    candidates_from_results,
    choose,
    choose_found,
    episode_facts,
    expected_runtime,
    identities,
    identity_key,
    is_settled,
    manual_match,
    runtime_flag,
    title_facts,
)


def cand(tmdb_id: int, title: str, year: int | None, popularity: float = 10.0, **kw) -> Candidate:
    return Candidate(tmdb_id, "movie", title, kw.get("original_title"), year, popularity)


@dataclass(frozen=True)
class Case:
    name: str
    candidates: tuple[Candidate, ...]
    title_key: str
    year: int | None
    status: str
    tmdb_id: int | None = None
    confidence: float | None = None


CASES = [
    Case(
        "exact title and year beats a more popular sequel",
        (cand(558449, "Gladiator II", 2024, 120), cand(98, "Gladiator", 2000, 75)),
        "gladiator",
        2000,
        "matched",
        98,
        1.0,
    ),
    Case(
        "same title, the year decides between a 1992 and a 2000 film",
        (cand(98, "Gladiator", 2000, 75), cand(16219, "Gladiator", 1992, 6)),
        "gladiator",
        1992,
        "matched",
        16219,
        1.0,
    ),
    Case(
        "exact title in the original language (apostrophe dropped in the file name)",
        (cand(194, "Amélie", 2001, original_title="Le Fabuleux Destin d'Amélie Poulain"),),
        "le fabuleux destin d amelie poulain",
        2001,
        "matched",
        194,
        1.0,
    ),
    Case(
        "year off by one (festival vs release) still matches, with less confidence",
        (cand(496243, "Parasite", 2019),),
        "parasite",
        2020,
        "matched",
        496243,
        0.85,
    ),
    Case(
        "a missing leading article is a near-identical title",
        (cand(603, "The Matrix", 1999),),
        "matrix",
        1999,
        "matched",
        603,
        0.75,
    ),
    Case(
        "no year: one exact title among longer ones",
        (cand(27205, "Inception", 2010, 84), cand(64956, "Inception: The Cobol Job", 2010, 4)),
        "inception",
        None,
        "matched",
        27205,
        0.8,
    ),
    Case(
        "no year: two films of one title with similar popularity are ambiguous",
        (cand(1091, "The Thing", 1982, 40), cand(60935, "The Thing", 2011, 30)),
        "the thing",
        None,
        "ambiguous",
    ),
    Case(
        "no year: a far more popular film of the title wins over an obscure namesake",
        (cand(27205, "Inception", 2010, 84), cand(999, "Inception", 2014, 0.5)),
        "inception",
        None,
        "matched",
        27205,
        0.7,
    ),
    Case(
        "same title, wrong year by more than one: not guessed",
        (cand(1091, "The Thing", 1982),),
        "the thing",
        1990,
        "unmatched",
    ),
    Case(
        "only other titles: not guessed",
        (cand(604, "The Matrix Reloaded", 2003), cand(605, "The Matrix Revolutions", 2003)),
        "the matrix",
        1999,
        "unmatched",
    ),
    Case("nothing found", (), "home video", 2003, "unmatched"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_choose(case: Case) -> None:
    decision = choose(case.candidates, case.title_key, case.year)
    assert decision.status == case.status, decision.reason
    assert decision.tmdb_id == case.tmdb_id
    if case.confidence is not None:
        assert decision.confidence == pytest.approx(case.confidence)
    if case.status == "ambiguous":
        assert {c.tmdb_id for c in decision.candidates} == {c.tmdb_id for c in case.candidates}


def test_unmatched_keeps_candidates_for_review() -> None:
    decision = choose([cand(604, "The Matrix Reloaded", 2003)], "the matrix", 1999)
    assert [c.tmdb_id for c in decision.candidates] == [604]
    assert "The Matrix Reloaded" in decision.candidates_json()


def test_choose_found_prefers_the_names_type_and_accepts_the_other() -> None:
    body = {"movie_results": [], "tv_results": [{"id": 326, "name": "Red Dwarf"}]}
    decision = choose_found(body, "movie", "tt0094535")
    assert (decision.status, decision.tmdb_id, decision.tmdb_type) == ("matched", 326, "tv")
    assert choose_found({"movie_results": []}, "movie", "tt0000001").status == "unmatched"


def _row(path: str, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "relative_path": path,
        "media_type": "movie",
        "title": "",
        "title_key": "",
        "year": None,
        "season": None,
        "episodes": [],
        "tmdb_id": None,
        "imdb_id": None,
        "tvdb_id": None,
    }
    return {**base, **values}


def test_identities_merge_files_and_collect_episodes() -> None:
    rows = [
        _row("a.mkv", title="Inception", title_key="inception", year=2010),
        _row("b.mkv", title="Inception", title_key="inception", year=2010),
        _row("c.mkv", title="Inception", title_key="inception", imdb_id="tt1375666"),
        _row(
            "d.mkv",
            media_type="tv",
            title="Red Dwarf",
            title_key="red dwarf",
            season=1,
            episodes=[1, 2],
        ),
        _row(
            "e.mkv",
            media_type="tv",
            title="Red Dwarf",
            title_key="red dwarf",
            season=1,
            episodes=[2],
        ),
        _row("f.mkv", title="", title_key=""),
    ]
    found = {i.key: i for i in identities(rows)}
    assert set(found) == {"movie|inception|2010", "movie|imdb:tt1375666", "tv|red dwarf|"}
    show = found["tv|red dwarf|"]
    assert show.episodes == ((1, 1), (1, 2))
    assert show.episode_keys() == ("tv|red dwarf||s1e1", "tv|red dwarf||s1e2")
    assert identity_key(rows[2]) == "movie|imdb:tt1375666"


def test_title_facts_from_movie_details() -> None:
    parasite = next(m for m in MOVIES if m.id == 496243)
    facts = title_facts(movie_details(parasite, {"credits", "external_ids"}), "movie")
    assert (facts.title, facts.original_title, facts.original_language) == (
        "Parasite",
        "기생충",
        "ko",
    )
    assert facts.spoken_languages == ("en", "ko")
    assert (facts.runtime, facts.year, facts.imdb_id) == (133, 2019, "tt6751668")
    assert [g.name for g in facts.genres] == ["Comedy", "Thriller", "Drama"]
    cast = [c for c in facts.credits if c.credit_type == "cast"]
    crew = [(c.name, c.job) for c in facts.credits if c.credit_type == "crew"]
    assert [c.name for c in cast] == ["Song Kang-ho", "Lee Sun-kyun"]
    assert crew == [("Bong Joon-ho", "Director"), ("Bong Joon-ho", "Screenplay")]


def test_title_facts_from_show_details_and_season() -> None:
    red_dwarf = SHOWS[0]
    facts = title_facts(show_details(red_dwarf, {"credits", "external_ids"}), "tv")
    assert (facts.title, facts.runtime, facts.year) == ("Red Dwarf", 30, 1988)
    assert (facts.imdb_id, facts.tvdb_id) == ("tt0094535", 71326)
    assert ("Rob Grant", "Creator") in [(c.name, c.job) for c in facts.credits]
    episodes = episode_facts(season_details(red_dwarf, 1))
    assert [(e.episode, e.name) for e in episodes[:3]] == [
        (1, "The End"),
        (2, "Future Echoes"),
        (3, "Balance of Power"),
    ]


@pytest.mark.parametrize(
    ("duration", "runtime", "extra_kind", "part", "flag"),
    [
        (148 * 60, 148, None, None, None),  # the full film
        (142 * 60, 148, None, None, None),  # PAL speed-up, missing credits
        (80 * 60, 148, None, None, None),  # a TV cut: shorter, not "far" shorter
        (60, 148, None, None, "sample"),  # a one-minute sample without "sample" in its name
        (40 * 60, 148, None, None, "truncated"),  # an interrupted copy
        (60, 148, "sample", None, None),  # already known as an extra
        (70 * 60, 148, None, 1, None),  # CD1 of a stacked movie
        (None, 148, None, None, None),  # not probed
        (60, None, None, None, None),  # TMDb has no runtime
    ],
)
def test_runtime_flag(
    duration: float | None, runtime: int | None, extra_kind: str | None, part: int | None, flag
) -> None:
    assert runtime_flag(duration, runtime, extra_kind=extra_kind, part=part) == flag


def test_expected_runtime_sums_episodes() -> None:
    assert expected_runtime(148, []) == 148
    assert expected_runtime(30, [29, 28]) == 57
    assert expected_runtime(30, [29, None]) == 59  # unknown length: the show's usual one
    assert expected_runtime(None, [29, None]) is None


def test_title_facts_survive_nulls_and_repeats_anywhere() -> None:
    body = {
        "id": 7,
        "title": None,
        "genres": [None, {"id": 18, "name": "Drama"}, {"id": 18, "name": "Drama"}, {"id": 99}],
        "spoken_languages": None,
        "runtime": None,
        "vote_average": None,
        "belongs_to_collection": None,
        "credits": {
            "cast": [
                {"id": 1, "name": "A", "character": "X", "order": None},
                {"id": 1, "name": "A", "character": "X", "order": None},
                {"id": 1, "name": "A", "character": "Y", "order": 3},
                {"id": None, "name": "nobody"},
                None,
            ],
            "crew": None,
        },
    }
    facts = title_facts(body, "movie")
    assert (facts.title, facts.runtime, facts.spoken_languages) == ("", None, ())
    assert [(g.tmdb_genre_id, g.name) for g in facts.genres] == [(18, "Drama"), (99, "Genre 99")]
    assert [(c.person_id, c.character_name) for c in facts.credits] == [(1, "Y"), (1, "X")]
    with pytest.raises(ValueError, match="usable id"):
        title_facts(RECORDED["/movie/949"], "movie")


def test_search_results_without_id_or_adult_ones_are_no_candidates() -> None:
    inception = next(m for m in MOVIES if m.id == 27205)
    results = [movie_result(inception), {**movie_result(inception), "id": 9, "adult": True}]
    results.append({"title": "no id"})
    assert [c.tmdb_id for c in candidates_from_results(results, "movie")] == [27205]


def test_a_season_body_listing_an_episode_twice_gives_it_once() -> None:
    facts = episode_facts(RECORDED["/tv/326/season/1"])
    assert [e.episode for e in facts] == [1, 2, 3, 4, 5, 6]
    assert facts[-1].runtime is None


DOCTOR_WHO = TitleIdentity("tv|doctor who|", "tv", "Doctor Who", "doctor who", episodes=((1, 1),))


@pytest.mark.parametrize(
    ("situation", "manual_id", "stored", "settled"),
    [
        ("searched, nobody chose", None, (57243, "same title"), True),
        ("a person chose since the search", 121, (57243, "same title"), False),
        ("matched by hand as chosen", 121, (121, MANUAL_MATCH_REASON), True),
        ("the person chose another id", 1, (121, MANUAL_MATCH_REASON), False),
        ("the choice was cleared", None, (121, MANUAL_MATCH_REASON), False),
    ],
)
def test_a_manual_match_is_looked_up_once_and_then_settled(
    situation: str, manual_id: int | None, stored: tuple[int, str], settled: bool
) -> None:
    identity = replace(DOCTOR_WHO, manual_tmdb_id=manual_id)
    rows = {
        DOCTOR_WHO.key: {"tmdb_id": stored[0], "reason": stored[1]},
        f"{DOCTOR_WHO.key}|s1e1": {"tmdb_id": stored[0], "reason": "S01E01"},
    }
    assert is_settled(identity, rows) is settled, situation
    # An episode without a stored match is never settled.
    assert not is_settled(identity, {DOCTOR_WHO.key: rows[DOCTOR_WHO.key]})


def test_a_manual_match_wins_over_the_id_tag_and_search() -> None:
    tagged = replace(DOCTOR_WHO, tmdb_id=57243)
    assert manual_match(DOCTOR_WHO) is None
    assert manual_match(tagged).tmdb_id == 57243
    chosen = manual_match(replace(tagged, manual_tmdb_id=121))
    assert (chosen.status, chosen.tmdb_id, chosen.confidence, chosen.reason) == (
        "matched",
        121,
        1.0,
        MANUAL_MATCH_REASON,
    )


def test_the_store_step_reuses_identities_only_for_the_library_they_came_from() -> None:
    def library(title: str) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "file_id": [1, 2],
                "relative_path": [f"{title}/a.mkv", f"{title}/b.mkv"],
                "media_type": ["tv", "tv"],
                "title": [title, title],
                "title_key": [title.lower(), title.lower()],
                "year": [None, None],
                "season": [1, 1],
                "episodes": [[1], [2]],
            }
        )

    seen = library("Red Dwarf")
    plan = LibraryIdentities(
        LibraryIdentities.of(seen), tuple(identities(seen.iter_rows(named=True)))
    )
    assert plan.for_library(seen) == list(plan.identities)
    # A scan changed the library between the plan and the store: derived afresh.
    changed = plan.for_library(library("Spaced"))
    assert [i.title for i in changed] == ["Spaced"]
    assert changed[0].episodes == ((1, 1), (1, 2))
