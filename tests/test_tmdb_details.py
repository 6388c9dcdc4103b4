"""What TMDb details say for seed 003's media (pure): the US certification and the minimum age
it names, the trailer, production countries, tagline/status/backdrop and a show's next episode,
from real-shaped bodies and from the odd ones real bodies are."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fake_tmdb import MOVIES, RECORDED, SHOWS, movie_details, show_details

from mediavault_assets.domain.tmdb_matching import (
    EpisodeFacts,
    movie_certification,
    show_certification,
    title_facts,
    trailer_url,
)
from mediavault_assets.tmdb.client import DETAILS_APPENDED

MOVIE_PARTS = set(DETAILS_APPENDED["movie"].split(","))
SHOW_PARTS = set(DETAILS_APPENDED["tv"].split(","))


def _release(certification: Any, kind: Any = 3, when: Any = "1999-03-31T00:00:00.000Z") -> dict:
    return {"certification": certification, "type": kind, "release_date": when, "note": ""}


def _us(*releases: Any) -> dict[str, Any]:
    return {"iso_3166_1": "US", "release_dates": list(releases)}


def _video(key: Any, kind: Any = "Trailer", site: Any = "YouTube", **fields: Any) -> dict:
    return {"key": key, "type": kind, "site": site, "iso_639_1": "en", **fields}


def test_the_matrix_is_rated_r_by_its_us_theatrical_release() -> None:
    facts = title_facts(RECORDED["/movie/603"], "movie")
    assert (facts.maturity_rating, facts.recommended_age_min) == ("R", 17)
    # The studio's trailer, not the earlier fan upload; listed twice, chosen once.
    assert facts.trailer_url == "https://www.youtube.com/watch?v=9ix7TUGVYIo"
    assert facts.production_countries == ("AU", "US")
    assert (facts.tagline, facts.status, facts.backdrop_path) == (
        "Welcome to the Real World.",
        "Released",
        "/b603.jpg",
    )
    assert facts.next_episode is None


def test_without_a_us_theatrical_rating_the_limited_release_rates_it() -> None:
    parasite = title_facts(RECORDED["/movie/496243"], "movie")
    assert (parasite.maturity_rating, parasite.recommended_age_min) == ("R", 17)
    assert (parasite.trailer_url, parasite.production_countries) == (None, ("KR",))
    inception = title_facts(RECORDED["/movie/27205"], "movie")
    assert (inception.maturity_rating, inception.recommended_age_min) == ("PG-13", 13)
    assert inception.trailer_url == "https://www.youtube.com/watch?v=YoHD9XEInc0"  # not the teaser


def test_shows_take_the_us_content_rating_and_the_next_episode() -> None:
    red_dwarf = title_facts(RECORDED["/tv/326"], "tv")
    assert (red_dwarf.maturity_rating, red_dwarf.recommended_age_min) == ("TV-PG", 10)
    assert (red_dwarf.tagline, red_dwarf.status, red_dwarf.next_episode) == (None, "Ended", None)
    assert (red_dwarf.production_countries, red_dwarf.trailer_url) == (("GB",), None)

    doctor_who = next(s for s in SHOWS if s.id == 57243)
    facts = title_facts(show_details(doctor_who, SHOW_PARTS), "tv")
    assert facts.next_episode == EpisodeFacts(2, 1, "New Earth", date(2027, 4, 15), None)
    assert facts.status == "Returning Series"
    assert facts.production_countries == ("GB",)  # no production countries: the origin country


def test_a_body_cached_before_the_parts_were_appended_leaves_them_empty() -> None:
    blade_runner = next(m for m in MOVIES if m.id == 78)
    old = title_facts(movie_details(blade_runner, {"credits", "external_ids"}), "movie")
    assert (old.maturity_rating, old.recommended_age_min, old.trailer_url) == (None, None, None)
    assert old.status == "Released"  # what the details themselves say is still read
    new = title_facts(movie_details(blade_runner, MOVIE_PARTS), "movie")
    assert new.maturity_rating == "R"
    show = {k: v for k, v in RECORDED["/tv/326"].items() if k not in ("content_ratings", "videos")}
    assert title_facts(show, "tv").maturity_rating is None


@pytest.mark.parametrize(
    ("situation", "release_dates", "expected"),
    [
        ("theatrical", [_us(_release("R"))], "R"),
        (
            "theatrical over an earlier rated digital release",
            [_us(_release("PG", 4, "1998-01-01"), _release("R", 3, "1999-03-31"))],
            "R",
        ),
        (
            "no theatrical rating: the earliest rated release",
            [_us(_release("", 3), _release("R", 5, "2001-01-01"), _release("NC-17", 4, "2000"))],
            "NC-17",
        ),
        ("lower case and spaces", [_us(_release(" pg-13 "))], "PG-13"),
        ("no hyphen", [_us(_release("PG13"))], "PG-13"),
        ("a rating this module does not know", [_us(_release("NR"))], "NR"),
        (
            "a lower-case country code",
            [{"iso_3166_1": "us", "release_dates": [_release("G")]}],
            "G",
        ),
        ("US listed twice", [_us(_release("")), _us(_release("PG"))], "PG"),
        (
            "only other countries rate it",
            [{"iso_3166_1": "DE", "release_dates": [_release("16")]}],
            None,
        ),
        ("empty certifications", [_us(_release(""), _release(None))], None),
        (
            "nulls",
            [None, {"iso_3166_1": None}, _us(None, {"type": 3}), {"release_dates": None}],
            None,
        ),
        ("no US entry", [], None),
    ],
)
def test_movie_certification(situation: str, release_dates: list, expected: str | None) -> None:
    assert movie_certification([r for r in release_dates if isinstance(r, dict)]) == expected, (
        situation
    )


@pytest.mark.parametrize(
    ("certification", "age"),
    [
        ("G", 0),
        ("PG", 10),
        ("pg-13", 13),
        ("R", 17),
        ("NC-17", 18),
        ("NR", None),
        ("", None),
    ],
)
def test_the_minimum_age_the_rating_names(certification: str, age: int | None) -> None:
    body = {"id": 1, "release_dates": {"results": [_us(_release(certification))]}}
    assert title_facts(body, "movie").recommended_age_min == age


@pytest.mark.parametrize(
    ("ratings", "expected", "age"),
    [
        (
            [{"iso_3166_1": "GB", "rating": "12"}, {"iso_3166_1": "US", "rating": "TV-14"}],
            "TV-14",
            14,
        ),
        ([{"iso_3166_1": "US", "rating": "tv-ma"}], "TV-MA", 17),
        ([{"iso_3166_1": "US", "rating": "TV-Y7"}], "TV-Y7", 7),
        (
            [{"iso_3166_1": "US", "rating": "TV-Y"}, {"iso_3166_1": "US", "rating": "TV-G"}],
            "TV-Y",
            0,
        ),
        (
            [{"iso_3166_1": "US", "rating": ""}, {"iso_3166_1": "US", "rating": "TV-PG"}],
            "TV-PG",
            10,
        ),
        ([{"iso_3166_1": "DE", "rating": "16"}], None, None),
        ([{"iso_3166_1": "US", "rating": None}, {"rating": "TV-14"}], None, None),
    ],
)
def test_show_certification(ratings: list, expected: str | None, age: int | None) -> None:
    assert show_certification(ratings) == expected
    body = {"id": 1, "content_ratings": {"results": ratings}}
    assert title_facts(body, "tv").recommended_age_min == age


@pytest.mark.parametrize(
    ("situation", "videos", "expected"),
    [
        (
            "official before a fan upload, even a teaser",
            [_video("fanTrailer1"), _video("officialTsr", "Teaser", official=True)],
            "https://www.youtube.com/watch?v=officialTsr",
        ),
        (
            "a trailer before a teaser",
            [_video("teaser00001", "Teaser", official=True), _video("trailer0001", official=True)],
            "https://www.youtube.com/watch?v=trailer0001",
        ),
        (
            "YouTube before Vimeo",
            [_video("123456", site="Vimeo"), _video("onYouTube01")],
            "https://www.youtube.com/watch?v=onYouTube01",
        ),
        ("only on Vimeo", [_video("76979871", site="Vimeo")], "https://vimeo.com/76979871"),
        (
            "the first published",
            [
                _video("rerelease01", published_at="2019-01-01T00:00:00.000Z"),
                _video("original001", published_at="2014-01-01T00:00:00.000Z"),
            ],
            "https://www.youtube.com/watch?v=original001",
        ),
        (
            "odd case in site and type",
            [_video("lowercase01", "trailer", "youtube")],
            "https://www.youtube.com/watch?v=lowercase01",
        ),
        (
            "only clips and featurettes",
            [_video("clip0000001", "Clip"), _video("f", "Featurette")],
            None,
        ),
        ("a site with no known address", [_video("x7tgad0", site="Dailymotion")], None),
        ("a key that is no plain id", [_video('"><script>'), _video(None), _video("")], None),
        ("no videos", [], None),
    ],
)
def test_trailer_url(situation: str, videos: list, expected: str | None) -> None:
    assert trailer_url(videos) == expected, situation


def test_odd_bodies_leave_the_facts_empty_never_fail() -> None:
    body = {
        "id": 5,
        "tagline": "",
        "status": None,
        "backdrop_path": None,
        "production_countries": [None, {"iso_3166_1": "us"}, {"iso_3166_1": "USA"}, {}],
        "origin_country": ["GB"],
        "release_dates": {"results": None},
        "videos": None,
        "content_ratings": [],
        "next_episode_to_air": {"air_date": None, "season_number": 2, "episode_number": 1},
    }
    movie = title_facts(body, "movie")
    assert (movie.tagline, movie.status, movie.backdrop_path) == (None, None, None)
    assert (movie.maturity_rating, movie.trailer_url, movie.next_episode) == (None, None, None)
    assert movie.production_countries == ("US",)
    show = title_facts({**body, "production_countries": None}, "tv")
    assert (show.production_countries, show.next_episode, show.maturity_rating) == (
        ("GB",),
        None,  # no air date: nothing to put on a calendar
        None,
    )
    numbered = {"air_date": "2027-04-15", "season_number": "2", "episode_number": 3, "name": ""}
    episode = title_facts({**body, "next_episode_to_air": numbered}, "tv").next_episode
    assert episode == EpisodeFacts(2, 3, None, date(2027, 4, 15), None)
    for broken in ("soon", {"air_date": "2027-13-40", "season_number": 1, "episode_number": 1}):
        assert title_facts({**body, "next_episode_to_air": broken}, "tv").next_episode is None
