"""A fake TMDb API on 127.0.0.1 (ephemeral port, one thread per request) for tests.

It serves the real API's paths and response shapes (v3, under /3) for the demo library's titles:
/search/movie, /search/tv, /movie/{id} and /tv/{id} (with the parts append_to_response names:
credits, external_ids, release_dates or content_ratings, videos), /tv/{id}/season/{n} and
/find/{external_id}. It authenticates like TMDb (api_key query parameter or a Bearer token, else
401), records every request with its arrival time (time.monotonic, the clock the client's rate
limiter uses), and takes injected faults: 429 with Retry-After, 5xx, slow responses, a path that
always fails.

Like the real API it answers with decoys (other films of the same or a similar title, shorts,
direct-to-video releases), search hits whose details 404, and, from the recorded-shape bodies in
fixtures/tmdb/ (which win over the generated ones), what real details carry: one person in cast
and crew, several jobs in one department, repeated entries, nulls, genres no list here knows,
collections, an episode listed twice, and one broken body (no id); US ratings only for a
limited release or beside other countries' ones, a fan-uploaded trailer and one listed twice.
Like TMDb it sends an appended part only when the request asks for it.
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

API_KEY = "fake-tmdb-api-key-0123456789"
READ_ACCESS_TOKEN = "fake-tmdb-read-access-token-abcdef"

_GENRES = {
    12: "Adventure",
    14: "Fantasy",
    16: "Animation",
    27: "Horror",
    18: "Drama",
    28: "Action",
    35: "Comedy",
    53: "Thriller",
    80: "Crime",
    878: "Science Fiction",
    10749: "Romance",
    10751: "Family",
    10765: "Sci-Fi & Fantasy",
}
_LANGUAGES = {
    "en": ("English", "English"),
    "ko": ("Korean", "한국어/조선말"),
    "fr": ("French", "Français"),
    "zh": ("Mandarin", "普通话"),
    "ja": ("Japanese", "日本語"),
    "it": ("Italian", "Italiano"),
    "la": ("Latin", "Latin"),
}


@dataclass(frozen=True)
class Movie:
    id: int
    title: str
    release_date: str
    original_language: str = "en"
    original_title: str | None = None
    runtime: int | None = None
    imdb_id: str | None = None
    genres: tuple[int, ...] = ()
    spoken: tuple[str, ...] = ()
    popularity: float = 10.0
    vote_average: float = 7.0
    vote_count: int = 1000
    cast: tuple[tuple[int, str, str], ...] = ()  # (person id, name, character)
    crew: tuple[tuple[int, str, str, str], ...] = ()  # (person id, name, department, job)
    details: bool = True  # False: search finds it, its details page 404s
    video: bool = False  # TMDb's flag for direct-to-video releases
    certification: str = ""  # of the US theatrical release ("": TMDb has none)


@dataclass(frozen=True)
class Show:
    id: int
    name: str
    first_air_date: str
    original_language: str = "en"
    original_name: str | None = None
    episode_run_time: tuple[int, ...] = ()
    imdb_id: str | None = None
    tvdb_id: int | None = None
    genres: tuple[int, ...] = ()
    popularity: float = 10.0
    vote_average: float = 7.0
    vote_count: int = 500
    created_by: tuple[tuple[int, str], ...] = ()
    cast: tuple[tuple[int, str, str], ...] = ()
    # season → ((episode, name, air date, runtime), ...)
    seasons: dict[int, tuple[tuple[int, str, str, int], ...]] = field(default_factory=dict)
    us_rating: str = ""
    next_episode: tuple[int, int, str, str] | None = None  # (season, episode, name, air date)


MOVIES: tuple[Movie, ...] = (
    Movie(
        27205,
        "Inception",
        "2010-07-15",
        runtime=148,
        imdb_id="tt1375666",
        genres=(28, 878, 12),
        spoken=("en", "ja", "fr"),
        popularity=83.9,
        vote_average=8.4,
        vote_count=36000,
        cast=(
            (6193, "Leonardo DiCaprio", "Dom Cobb"),
            (24045, "Joseph Gordon-Levitt", "Arthur"),
            (27578, "Elliot Page", "Ariadne"),
        ),
        crew=((525, "Christopher Nolan", "Directing", "Director"),),
    ),
    Movie(64956, "Inception: The Cobol Job", "2010-12-07", runtime=15, popularity=4.2),
    Movie(
        496243,
        "Parasite",
        "2019-05-30",
        original_language="ko",
        original_title="기생충",
        runtime=133,
        imdb_id="tt6751668",
        genres=(35, 53, 18),
        spoken=("en", "ko"),
        popularity=61.0,
        vote_average=8.5,
        vote_count=18000,
        cast=((20738, "Song Kang-ho", "Kim Ki-taek"), (115290, "Lee Sun-kyun", "Park Dong-ik")),
        crew=(
            (21684, "Bong Joon-ho", "Directing", "Director"),
            (21684, "Bong Joon-ho", "Writing", "Screenplay"),
        ),
    ),
    Movie(
        603,
        "The Matrix",
        "1999-03-31",
        runtime=136,
        imdb_id="tt0133093",
        genres=(28, 878),
        spoken=("en",),
        popularity=70.5,
        vote_average=8.2,
        vote_count=25000,
        cast=((6384, "Keanu Reeves", "Neo"), (2975, "Laurence Fishburne", "Morpheus")),
        crew=((9339, "Lana Wachowski", "Directing", "Director"),),
    ),
    Movie(604, "The Matrix Reloaded", "2003-05-15", popularity=40.1, details=False),
    Movie(605, "The Matrix Revolutions", "2003-11-05", popularity=35.7, details=False),
    Movie(
        78,
        "Blade Runner",
        "1982-06-25",
        runtime=117,
        imdb_id="tt0083658",
        genres=(878, 18, 53),
        spoken=("en", "de", "cn", "ja", "hu"),
        popularity=45.0,
        vote_average=7.9,
        cast=((3, "Harrison Ford", "Rick Deckard"), (585, "Rutger Hauer", "Roy Batty")),
        crew=((578, "Ridley Scott", "Directing", "Director"),),
        certification="R",
    ),
    Movie(335984, "Blade Runner 2049", "2017-10-04", popularity=50.2, details=False),
    Movie(
        194,
        "Amélie",
        "2001-04-25",
        original_language="fr",
        original_title="Le Fabuleux Destin d'Amélie Poulain",
        runtime=122,
        imdb_id="tt0211915",
        genres=(35, 10749),
        spoken=("fr",),
        popularity=30.3,
        vote_average=7.9,
        cast=((3526, "Audrey Tautou", "Amélie Poulain"),),
        crew=((2419, "Jean-Pierre Jeunet", "Directing", "Director"),),
        certification="R",
    ),
    Movie(
        146,
        "Crouching Tiger, Hidden Dragon",
        "2000-07-06",
        original_language="zh",
        original_title="臥虎藏龍",
        runtime=120,
        imdb_id="tt0190332",
        genres=(12, 18, 28, 10749),
        spoken=("zh",),
        popularity=25.8,
        cast=((1619, "Chow Yun-fat", "Li Mu Bai"), (1620, "Michelle Yeoh", "Yu Shu Lien")),
        crew=((1614, "Ang Lee", "Directing", "Director"),),
        certification="PG-13",
    ),
    Movie(
        129,
        "Spirited Away",
        "2001-07-20",
        original_language="ja",
        original_title="千と千尋の神隠し",
        runtime=125,
        imdb_id="tt0245429",
        genres=(16, 10751, 14),
        spoken=("ja",),
        popularity=90.1,
        vote_average=8.5,
        cast=((19587, "Rumi Hiiragi", "Chihiro Ogino (voice)"),),
        crew=((608, "Hayao Miyazaki", "Directing", "Director"),),
        certification="PG",
    ),
    Movie(
        238,
        "The Godfather",
        "1972-03-14",
        runtime=175,
        imdb_id="tt0068646",
        genres=(18, 80),
        spoken=("en", "it", "la"),
        popularity=95.4,
        vote_average=8.7,
        cast=((3084, "Marlon Brando", "Don Vito Corleone"), (1158, "Al Pacino", "Michael")),
        crew=((1776, "Francis Ford Coppola", "Directing", "Director"),),
        certification="R",
    ),
    Movie(240, "The Godfather Part II", "1974-12-20", popularity=60.0, details=False),
    Movie(
        98,
        "Gladiator",
        "2000-05-04",
        runtime=155,
        imdb_id="tt0172495",
        genres=(28, 18, 12),
        spoken=("en",),
        popularity=75.2,
        vote_average=8.2,
        cast=((934, "Russell Crowe", "Maximus"), (73421, "Joaquin Phoenix", "Commodus")),
        crew=((578, "Ridley Scott", "Directing", "Director"),),
        certification="R",
    ),
    Movie(16219, "Gladiator", "1992-03-06", popularity=6.1, details=False),
    Movie(558449, "Gladiator II", "2024-11-05", popularity=120.0, details=False),
    Movie(
        1034411, "Inception: Jump Right Into the Action", "2010-12-07", popularity=2.1, video=True
    ),
    # The library names this one; TMDb's search still lists it, its details are gone (404).
    Movie(429393, "Kill Switch", "2017-06-09", popularity=3.3, details=False),
    # Its recorded details body has no id (fixtures/tmdb/movie_949.json): unusable.
    Movie(949, "Heat", "1995-12-15", runtime=170, imdb_id="tt0113277", popularity=33.0),
    Movie(680, "Pulp Fiction", "1994-09-10", runtime=154, imdb_id="tt0110912", popularity=70.0),
    # Sequels a year-less or fuzzy comparison of names could confuse.
    Movie(348, "Alien", "1979-05-25", runtime=117, imdb_id="tt0078748", genres=(27, 878)),
    Movie(679, "Aliens", "1986-07-18", runtime=137, imdb_id="tt0090605", genres=(28, 878)),
    # Two films of one title: a name without a year cannot tell them apart.
    Movie(1091, "The Thing", "1982-06-25", runtime=109, imdb_id="tt0084787", popularity=40.0),
    Movie(60935, "The Thing", "2011-10-12", runtime=103, imdb_id="tt0905372", popularity=30.0),
)

SHOWS: tuple[Show, ...] = (
    Show(
        326,
        "Red Dwarf",
        "1988-02-15",
        episode_run_time=(30,),
        imdb_id="tt0094535",
        tvdb_id=71326,
        genres=(35, 10765),
        popularity=22.5,
        vote_average=7.8,
        created_by=((1213550, "Rob Grant"), (1213551, "Doug Naylor")),
        cast=((64949, "Craig Charles", "Dave Lister"), (64950, "Chris Barrie", "Arnold Rimmer")),
        seasons={
            1: (
                (1, "The End", "1988-02-15", 29),
                (2, "Future Echoes", "1988-02-22", 28),
                (3, "Balance of Power", "1988-02-29", 28),
                (4, "Waiting for God", "1988-03-07", 29),
                (5, "Confidence and Paranoia", "1988-03-14", 28),
                (6, "Me²", "1988-03-21", 29),
            )
        },
    ),
    # One name, two shows: the names only tell them apart by the year.
    Show(
        121,
        "Doctor Who",
        "1963-11-23",
        episode_run_time=(25,),
        tvdb_id=76107,
        popularity=30.0,
        seasons={1: ((1, "An Unearthly Child", "1963-11-23", 25),)},
    ),
    Show(
        57243,
        "Doctor Who",
        "2005-03-26",
        episode_run_time=(45,),
        tvdb_id=78804,
        popularity=90.0,
        seasons={1: ((1, "Rose", "2005-03-26", 45),)},
        us_rating="TV-PG",
        next_episode=(2, 1, "New Earth", "2027-04-15"),
    ),
)


FIXTURES = Path(__file__).parent / "fixtures" / "tmdb"
_FIXTURE_NAME = re.compile(r"^(movie|tv)_(\d+)(?:_season_(\d+))?\.json$")


def recorded_bodies() -> dict[str, dict[str, Any]]:
    """Path ("/movie/27205", "/tv/326/season/1") → the recorded-shape body in fixtures/tmdb/."""
    bodies: dict[str, dict[str, Any]] = {}
    for file in sorted(FIXTURES.glob("*.json")):
        match = _FIXTURE_NAME.match(file.name)
        assert match, f"{file.name}: name it movie_ID.json, tv_ID.json or tv_ID_season_N.json"
        kind, tmdb_id, season = match.groups()
        path = f"/{kind}/{tmdb_id}" + (f"/season/{season}" if season else "")
        bodies[path] = json.loads(file.read_text(encoding="utf-8"))
    return bodies


RECORDED = recorded_bodies()
# The parts of a details body that come only with append_to_response.
APPENDABLE = frozenset({"credits", "external_ids", "release_dates", "content_ratings", "videos"})


def _fold(text: str) -> str:
    """Like TMDb's search: case, accents and punctuation do not matter."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _person(person_id: int, name: str, department: str) -> dict[str, Any]:
    return {
        "adult": False,
        "gender": 0,
        "id": person_id,
        "known_for_department": department,
        "name": name,
        "original_name": name,
        "popularity": 10.0,
        "profile_path": f"/p{person_id}.jpg",
        "credit_id": f"c{person_id}",
    }


def _credits(
    cast: tuple[tuple[int, str, str], ...], crew: tuple[tuple[int, str, str, str], ...]
) -> dict[str, Any]:
    return {
        "cast": [
            {**_person(pid, name, "Acting"), "cast_id": i, "character": character, "order": i}
            for i, (pid, name, character) in enumerate(cast)
        ],
        "crew": [
            {**_person(pid, name, department), "department": department, "job": job}
            for pid, name, department, job in crew
        ],
    }


def _spoken(codes: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {
            "english_name": _LANGUAGES.get(c, (c, c))[0],
            "iso_639_1": c,
            "name": _LANGUAGES.get(c, (c, c))[1],
        }
        for c in codes
    ]


def movie_result(m: Movie) -> dict[str, Any]:
    return {
        "adult": False,
        "backdrop_path": f"/b{m.id}.jpg",
        "genre_ids": list(m.genres),
        "id": m.id,
        "original_language": m.original_language,
        "original_title": m.original_title or m.title,
        "overview": f"Overview of {m.title}.",
        "popularity": m.popularity,
        "poster_path": f"/m{m.id}.jpg",
        "release_date": m.release_date,
        "title": m.title,
        "video": m.video,
        "vote_average": m.vote_average,
        "vote_count": m.vote_count,
    }


def _release(certification: str, release_date: str, kind: int) -> dict[str, Any]:
    return {
        "certification": certification,
        "descriptors": [],
        "iso_639_1": "",
        "note": "",
        "release_date": f"{release_date}T00:00:00.000Z",
        "type": kind,
    }


def movie_details(m: Movie, append: set[str]) -> dict[str, Any]:
    body = {
        **{k: v for k, v in movie_result(m).items() if k != "genre_ids"},
        "belongs_to_collection": None,
        "budget": 0,
        "genres": [{"id": g, "name": _GENRES[g]} for g in m.genres],
        "homepage": "",
        "imdb_id": m.imdb_id,
        "origin_country": [],
        "production_companies": [],
        "production_countries": [],
        "revenue": 0,
        "runtime": m.runtime,
        "spoken_languages": _spoken(m.spoken),
        "status": "Released",
        "tagline": "",
    }
    if "credits" in append:
        body["credits"] = _credits(m.cast, m.crew)
    if "external_ids" in append:
        body["external_ids"] = {
            "imdb_id": m.imdb_id,
            "wikidata_id": None,
            "facebook_id": None,
            "instagram_id": None,
            "twitter_id": None,
        }
    if "release_dates" in append:
        us = [{"iso_3166_1": "US", "release_dates": [_release(m.certification, m.release_date, 3)]}]
        body["release_dates"] = {"results": us if m.certification else []}
    if "videos" in append:
        body["videos"] = {"results": []}
    return body


def show_result(s: Show) -> dict[str, Any]:
    return {
        "adult": False,
        "backdrop_path": f"/b{s.id}.jpg",
        "genre_ids": list(s.genres),
        "id": s.id,
        "origin_country": ["GB"],
        "original_language": s.original_language,
        "original_name": s.original_name or s.name,
        "overview": f"Overview of {s.name}.",
        "popularity": s.popularity,
        "poster_path": f"/t{s.id}.jpg",
        "first_air_date": s.first_air_date,
        "name": s.name,
        "vote_average": s.vote_average,
        "vote_count": s.vote_count,
    }


def show_details(s: Show, append: set[str]) -> dict[str, Any]:
    body = {
        **{k: v for k, v in show_result(s).items() if k != "genre_ids"},
        "created_by": [
            {"id": pid, "credit_id": f"c{pid}", "name": name, "gender": 2, "profile_path": None}
            for pid, name in s.created_by
        ],
        "episode_run_time": list(s.episode_run_time),
        "genres": [{"id": g, "name": _GENRES[g]} for g in s.genres],
        "in_production": False,
        "languages": [s.original_language],
        "number_of_episodes": sum(len(e) for e in s.seasons.values()),
        "number_of_seasons": len(s.seasons),
        "seasons": [
            {
                "id": s.id * 100 + n,
                "season_number": n,
                "episode_count": len(e),
                "name": f"Series {n}",
            }
            for n, e in sorted(s.seasons.items())
        ],
        "spoken_languages": _spoken((s.original_language,)),
        "status": "Returning Series" if s.next_episode else "Ended",
        "tagline": "",
        "production_countries": [],  # TMDb lists only the origin country for many shows
        "next_episode_to_air": None,
        "type": "Scripted",
    }
    if s.next_episode:
        season, episode, name, air_date = s.next_episode
        body["next_episode_to_air"] = {
            "id": s.id * 10000 + season * 100 + episode,
            "name": name,
            "overview": "",
            "vote_average": 0.0,
            "vote_count": 0,
            "air_date": air_date,
            "episode_number": episode,
            "episode_type": "standard",
            "production_code": "",
            "runtime": None,
            "season_number": season,
            "show_id": s.id,
            "still_path": None,
        }
    if "credits" in append:
        body["credits"] = _credits(s.cast, ())
    if "external_ids" in append:
        body["external_ids"] = {
            "imdb_id": s.imdb_id,
            "tvdb_id": s.tvdb_id,
            "freebase_mid": None,
            "tvrage_id": None,
            "wikidata_id": None,
        }
    if "content_ratings" in append:
        rating = {"descriptors": [], "iso_3166_1": "US", "rating": s.us_rating}
        body["content_ratings"] = {"results": [rating] if s.us_rating else []}
    if "videos" in append:
        body["videos"] = {"results": []}
    return body


def season_details(s: Show, number: int) -> dict[str, Any]:
    return {
        "_id": f"season-{s.id}-{number}",
        "air_date": s.seasons[number][0][2],
        "episodes": [
            {
                "air_date": air_date,
                "episode_number": episode,
                "episode_type": "standard",
                "id": s.id * 10000 + number * 100 + episode,
                "name": name,
                "overview": "",
                "production_code": "",
                "runtime": runtime,
                "season_number": number,
                "show_id": s.id,
                "still_path": None,
                "vote_average": 7.5,
                "vote_count": 20,
                "crew": [],
                "guest_stars": [],
            }
            for episode, name, air_date, runtime in s.seasons[number]
        ],
        "name": f"Series {number}",
        "overview": "",
        "id": s.id * 100 + number,
        "poster_path": None,
        "season_number": number,
        "vote_average": 7.5,
    }


def _page(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"page": 1, "results": results, "total_pages": 1, "total_results": len(results)}


def _status(code: int, message: str) -> dict[str, Any]:
    return {"status_code": code, "status_message": message, "success": False}


@dataclass(frozen=True)
class RecordedRequest:
    at: float  # time.monotonic() on arrival
    path: str  # without the /3 prefix
    params: dict[str, str]  # without api_key
    status: int


@dataclass
class _Fault:
    status: int | None = None  # None: answer normally (after the delay)
    retry_after: str | None = None
    delay: float = 0.0


class FakeTmdb:
    """The fake API; use ``running_fake_tmdb()`` to start and stop it."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._faults: deque[_Fault] = deque()
        self._broken: dict[str, int] = {}  # path → the status it always answers
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the test output is the record

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/3"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` requests with `status` (e.g. 429 with Retry-After, 500)."""
        with self._lock:
            self._faults.extend(_Fault(status, retry_after) for _ in range(times))

    def fail_always(self, path: str, status: int = 500) -> None:
        """Answer every request for `path` (without /3) with `status` until ``repair``."""
        with self._lock:
            self._broken[path] = status

    def repair(self, path: str) -> None:
        with self._lock:
            self._broken.pop(path, None)

    def delay_next(self, seconds: float, *, times: int = 1) -> None:
        """Answer the next `times` requests normally, but only after `seconds`."""
        with self._lock:
            self._faults.extend(_Fault(delay=seconds) for _ in range(times))

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        arrived = time.monotonic()
        url = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path.removeprefix("/3")
        authorized = (
            params.pop("api_key", None) == API_KEY
            or handler.headers.get("Authorization") == f"Bearer {READ_ACCESS_TOKEN}"
        )
        with self._lock:
            fault = self._faults.popleft() if self._faults else _Fault()
            if path in self._broken:
                fault = _Fault(self._broken[path])
        headers: dict[str, str] = {}
        if not authorized:
            status, body = 401, _status(7, "Invalid API key: You must be granted a valid key.")
        elif fault.status == 429:
            status = 429
            body = _status(25, "Your request count is over the allowed limit of 40.")
            if fault.retry_after is not None:
                headers["Retry-After"] = fault.retry_after
        elif fault.status is not None:
            status, body = fault.status, _status(11, "Internal error: Something went wrong.")
        else:
            status, body = self._route(path, params)
        with self._lock:
            self.requests.append(RecordedRequest(arrived, path, params, status))
        if fault.delay:
            time.sleep(fault.delay)
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json;charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _route(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        append = set(params.get("append_to_response", "").split(","))
        not_found = 404, _status(34, "The resource you requested could not be found.")
        if path in RECORDED:
            body = RECORDED[path]
            return 200, {k: v for k, v in body.items() if k not in APPENDABLE or k in append}
        if parts == ["search", "movie"]:
            query, year = _fold(params.get("query", "")), params.get("year")
            return 200, _page(
                [
                    movie_result(m)
                    for m in sorted(MOVIES, key=lambda m: -m.popularity)
                    if query
                    and (query in _fold(m.title) or query in _fold(m.original_title or ""))
                    and (not year or m.release_date.startswith(year))
                ]
            )
        if parts == ["search", "tv"]:
            query, year = _fold(params.get("query", "")), params.get("first_air_date_year")
            return 200, _page(
                [
                    show_result(s)
                    for s in SHOWS
                    if query
                    and (query in _fold(s.name) or query in _fold(s.original_name or ""))
                    and (not year or s.first_air_date.startswith(year))
                ]
            )
        if len(parts) == 2 and parts[0] == "movie" and parts[1].isdigit():
            movie = next((m for m in MOVIES if m.id == int(parts[1]) and m.details), None)
            return (200, movie_details(movie, append)) if movie else not_found
        if len(parts) >= 2 and parts[0] == "tv" and parts[1].isdigit():
            show = next((s for s in SHOWS if s.id == int(parts[1])), None)
            if show is None:
                return not_found
            if len(parts) == 2:
                return 200, show_details(show, append)
            if len(parts) == 4 and parts[2] == "season" and parts[3].isdigit():
                number = int(parts[3])
                return (200, season_details(show, number)) if number in show.seasons else not_found
            return not_found
        if len(parts) == 2 and parts[0] == "find":
            return 200, self._find(parts[1], params.get("external_source", ""))
        return not_found

    def _find(self, external_id: str, source: str) -> dict[str, Any]:
        found: dict[str, Any] = {
            "movie_results": [],
            "person_results": [],
            "tv_results": [],
            "tv_episode_results": [],
            "tv_season_results": [],
        }
        if source == "imdb_id":
            found["movie_results"] = [movie_result(m) for m in MOVIES if m.imdb_id == external_id]
            found["tv_results"] = [show_result(s) for s in SHOWS if s.imdb_id == external_id]
        elif source == "tvdb_id":
            found["tv_results"] = [show_result(s) for s in SHOWS if str(s.tvdb_id) == external_id]
        return found


@contextmanager
def running_fake_tmdb() -> Iterator[FakeTmdb]:
    fake = FakeTmdb()
    # Tests must only ever talk to loopback.
    assert urlsplit(fake.base_url).hostname == "127.0.0.1"
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def max_in_any_window(times: list[float], window: float) -> int:
    """The most request arrivals inside any half-open window [t, t + window)."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def clear_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours proxy variables: with them gone, a loopback URL stays on loopback."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
