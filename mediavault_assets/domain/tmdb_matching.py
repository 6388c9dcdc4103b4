"""Matching parsed names to TMDb titles, and reading what TMDb says about them. Pure: no I/O.

An *identity* is what the library holds under one name: a movie (title key + year) or a show
(title key + year if the name gives one) with the episodes the files cover. ID tags in names
({tmdb-603}, [imdbid-tt0133093], {tvdb-71326}) beat any search. Otherwise the search results are
ranked in tiers: the exact normalized title with the same year, then a year off by one (festival
vs theatrical release), then a near-identical title with the same year; within a tier a single
candidate wins, several are settled by popularity only when one clearly dominates. Everything
else is "unmatched" or "ambiguous" with its candidates, for a person to review, never a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, Literal

from rapidfuzz import fuzz

from mediavault_assets.domain.model import MediaType, stable_id
from mediavault_assets.domain.naming import normalize_title
from mediavault_assets.domain.pickling import tuple_pickled

# failed: TMDb or its answer broke for this title only; retried (from the cache) next run.
MatchStatus = Literal["matched", "unmatched", "ambiguous", "skipped", "failed"]
RuntimeFlag = Literal["sample", "truncated"]

# Within a tier, the most popular candidate wins only if it is this many times more popular
# than the next: "Inception" (2010) vs a short of the same name, not "The Thing" 1982 vs 2011.
DOMINANT_POPULARITY = 5.0
# rapidfuzz ratio (0-100) of two article-less compact titles that still count as the same title.
NEAR_TITLE_RATIO = 90.0
MAX_CANDIDATES = 5  # kept per identity for the review list
TOP_CAST = 10
KEY_CREW_JOBS = frozenset(
    {
        "Director",
        "Screenplay",
        "Writer",
        "Story",
        "Novel",
        "Producer",
        "Original Music Composer",
        "Director of Photography",
    }
)
# The reason of a match a person made (tmdb_matches.reason): the plan step tells it from search.
MANUAL_MATCH_REASON = "matched by hand"
# A file under half the TMDb runtime is not the full work; a short one is a sample, a long one
# an interrupted copy. Stacked parts (CD1/CD2) and labelled extras are short by design.
FAR_SHORTER_RATIO = 0.5
SAMPLE_MAX_SECONDS = 300.0
_ARTICLES = ("the ", "a ", "an ")
# The minimum age each US rating names. The MPA's: PG-13 "some material may be inappropriate
# for children under 13", R "under 17 requires accompanying parent or adult guardian", NC-17
# "no one 17 and under admitted". The TV Parental Guidelines': TV-Y7 "children age 7 and above",
# TV-14 "unsuitable for children under 14", TV-MA "may be unsuitable for children under 17".
# G, TV-G and TV-Y are for all ages. PG and TV-PG (TV's PG) name no age: 10, the age Jellyfin's
# US rating table gives PG.
CERTIFICATION_MIN_AGE: dict[str, int] = {
    "G": 0,
    "PG": 10,
    "PG-13": 13,
    "R": 17,
    "NC-17": 18,
    "TV-Y": 0,
    "TV-Y7": 7,
    "TV-Y7-FV": 7,
    "TV-G": 0,
    "TV-PG": 10,
    "TV-14": 14,
    "TV-MA": 17,
}
THEATRICAL_RELEASE = 3  # TMDb's release types: 1 premiere, 2 limited, 3 theatrical, 4 digital...
# Video sites TMDb names, best first, and the address of one of their videos.
VIDEO_URLS = {"youtube": "https://www.youtube.com/watch?v={}", "vimeo": "https://vimeo.com/{}"}
TRAILER_KINDS = ("trailer", "teaser")  # best first


@tuple_pickled
@dataclass(frozen=True, slots=True)
class TitleIdentity:
    """One movie or show of the library, as the file names describe it."""

    key: str
    media_type: MediaType
    title: str  # what is searched for (the parsed display title)
    title_key: str
    year: int | None = None
    tmdb_id: int | None = None
    imdb_id: str | None = None
    tvdb_id: int | None = None
    episodes: tuple[tuple[int, int], ...] = ()  # (season, episode) pairs the files cover
    manual_tmdb_id: int | None = None  # a person's choice (review store): wins over all else

    @property
    def known_tmdb_id(self) -> int | None:
        """The id no search is needed for: a person's choice, else the name's ID tag."""
        return self.manual_tmdb_id or self.tmdb_id

    @property
    def seasons(self) -> tuple[int, ...]:
        return tuple(sorted({season for season, _ in self.episodes}))

    def episode_keys(self) -> tuple[str, ...]:
        return tuple(episode_key(self.key, s, e) for s, e in self.episodes)


def identity_key(row: Mapping[str, Any]) -> str:
    """The identity a parsed_names row belongs to; an ID tag in the name beats title and year."""
    media_type = row["media_type"]
    for tag in ("tmdb_id", "imdb_id", "tvdb_id"):
        if row.get(tag):
            return f"{media_type}|{tag.removesuffix('_id')}:{row[tag]}"
    year = row.get("year")
    return f"{media_type}|{row['title_key']}|{year if year is not None else ''}"


def episode_key(title_identity_key: str, season: int, episode: int) -> str:
    return f"{title_identity_key}|s{season}e{episode}"


def identities(rows: Iterable[Mapping[str, Any]]) -> list[TitleIdentity]:
    """Distinct identities of parsed_names rows (sorted by key), with the episodes they cover.

    Rows without a title key cannot be looked up and are left out.
    """
    found: dict[str, TitleIdentity] = {}
    episodes: dict[str, set[tuple[int, int]]] = {}
    for row in sorted(rows, key=lambda r: (r["title"], r["relative_path"])):
        if not row["title_key"]:
            continue
        key = identity_key(row)
        if key not in found:
            found[key] = TitleIdentity(
                key=key,
                media_type=row["media_type"],
                title=row["title"],
                title_key=row["title_key"],
                year=row.get("year"),
                tmdb_id=row.get("tmdb_id"),
                imdb_id=row.get("imdb_id"),
                tvdb_id=row.get("tvdb_id"),
            )
            episodes[key] = set()
        if row["media_type"] == "tv" and row.get("season") is not None:
            episodes[key].update((row["season"], e) for e in row.get("episodes") or ())
    return [replace(found[k], episodes=tuple(sorted(episodes[k]))) for k in sorted(found)]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A search (or find) result, as much of it as matching and review need."""

    tmdb_id: int
    tmdb_type: MediaType
    title: str
    original_title: str | None
    year: int | None
    popularity: float
    original_language: str | None = None


@dataclass(frozen=True, slots=True)
class MatchDecision:
    status: MatchStatus
    reason: str
    tmdb_id: int | None = None
    tmdb_type: MediaType | None = None
    confidence: float = 0.0
    candidates: tuple[Candidate, ...] = ()

    def candidates_json(self) -> str:
        return json.dumps([asdict(c) for c in self.candidates], ensure_ascii=False)


def matched(candidate: Candidate, confidence: float, reason: str) -> MatchDecision:
    return MatchDecision(
        "matched", reason, candidate.tmdb_id, candidate.tmdb_type, confidence, (candidate,)
    )


def manual_match(identity: TitleIdentity) -> MatchDecision | None:
    """The decision of a person's choice (or the name's ID tag): no search needed."""
    if identity.manual_tmdb_id:
        reason, tmdb_id = MANUAL_MATCH_REASON, identity.manual_tmdb_id
    elif identity.tmdb_id:
        reason, tmdb_id = f"ID tag tmdb-{identity.tmdb_id}", identity.tmdb_id
    else:
        return None
    chosen = Candidate(tmdb_id, identity.media_type, identity.title, None, None, 0.0)
    return matched(chosen, 1.0, reason)


def is_settled(identity: TitleIdentity, stored: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether an identity needs no lookup: its title and episodes have fresh stored matches,
    made by hand with the id a person chose if they chose one, else not by hand (a cleared
    choice is searched again)."""
    if not all(k in stored for k in (identity.key, *identity.episode_keys())):
        return False
    row = stored[identity.key]
    by_hand = row["reason"] == MANUAL_MATCH_REASON
    if identity.manual_tmdb_id is not None:
        return by_hand and row["tmdb_id"] == identity.manual_tmdb_id
    return not by_hand


def skipped(reason: str) -> MatchDecision:
    return MatchDecision("skipped", reason)


def failed(reason: str) -> MatchDecision:
    return MatchDecision("failed", reason)


def candidates_from_results(
    results: Sequence[Mapping[str, Any]], tmdb_type: MediaType
) -> list[Candidate]:
    """Search or find results; movies carry title/release_date, shows name/first_air_date."""
    title_field, original_field, date_field = (
        ("title", "original_title", "release_date")
        if tmdb_type == "movie"
        else ("name", "original_name", "first_air_date")
    )
    return [
        Candidate(
            tmdb_id=int(r["id"]),
            tmdb_type=tmdb_type,
            title=str(r.get(title_field) or ""),
            original_title=r.get(original_field),
            year=_year(r.get(date_field)),
            popularity=float(r.get("popularity") or 0.0),
            original_language=r.get("original_language"),
        )
        for r in results
        # include_adult=false is a hint TMDb does not always honour; no library title is adult.
        if isinstance(r, Mapping) and _int(r.get("id")) is not None and not r.get("adult")
    ]


def choose(candidates: Sequence[Candidate], title_key: str, year: int | None) -> MatchDecision:
    """The search result a title key (and year, when the name has one) refers to, if it is clear."""
    if not candidates:
        return MatchDecision("unmatched", "TMDb found nothing under this title")
    exact = [c for c in candidates if _same_title(c, title_key)]
    near = [c for c in candidates if c not in exact and _near_title(c, title_key)]
    tiers: list[tuple[list[Candidate], float, str]]
    if year is not None:
        tiers = [
            ([c for c in exact if c.year == year], 1.0, f"same title and year {year}"),
            (
                [c for c in exact if c.year is not None and abs(c.year - year) == 1],
                0.85,
                f"same title, year {year} off by one",
            ),
            ([c for c in near if c.year == year], 0.75, f"near-identical title, year {year}"),
        ]
    else:
        tiers = [(exact, 0.8, "same title, no year in the name")]
    for group, confidence, why in tiers:
        if not group:
            continue
        ranked = sorted(group, key=lambda c: -c.popularity)
        if len(ranked) == 1:
            return matched(ranked[0], confidence, why)
        if ranked[0].popularity >= DOMINANT_POPULARITY * max(ranked[1].popularity, 0.001):
            return replace(
                matched(ranked[0], round(confidence - 0.1, 2), f"{why}; by far the most popular"),
                candidates=tuple(ranked[:MAX_CANDIDATES]),
            )
        return MatchDecision(
            "ambiguous",
            f"{len(ranked)} results with {why}",
            candidates=tuple(ranked[:MAX_CANDIDATES]),
        )
    return MatchDecision(
        "unmatched",
        "no result with this title" + (f" and year {year}" if year is not None else ""),
        candidates=tuple(sorted(candidates, key=lambda c: -c.popularity)[:MAX_CANDIDATES]),
    )


def choose_found(body: Mapping[str, Any], media_type: MediaType, external_id: str) -> MatchDecision:
    """The title an external ID (IMDb, TVDB) points to, from TMDb's /find answer.

    The name's own media type is preferred; an ID is unambiguous, so the other type is accepted.
    """
    for tmdb_type in (media_type, "tv" if media_type == "movie" else "movie"):
        found = candidates_from_results(body.get(f"{tmdb_type}_results") or [], tmdb_type)
        if len(found) == 1:
            return matched(found[0], 1.0, f"ID tag {external_id}")
        if found:
            return MatchDecision(
                "ambiguous",
                f"ID tag {external_id} names {len(found)} titles",
                candidates=tuple(found),
            )
    return MatchDecision("unmatched", f"TMDb knows no title with ID {external_id}")


def _compact(text: str) -> str:
    # "le fabuleux destin d amelie" (file name) and "damelie" (TMDb's apostrophe) are one title.
    return text.replace(" ", "")


def _without_article(key: str) -> str:
    for article in _ARTICLES:
        if key.startswith(article):
            return key[len(article) :]
    return key


def _titles(candidate: Candidate) -> list[str]:
    return [normalize_title(t) for t in (candidate.title, candidate.original_title) if t]


def _same_title(candidate: Candidate, title_key: str) -> bool:
    return any(_compact(t) == _compact(title_key) for t in _titles(candidate))


def _near_title(candidate: Candidate, title_key: str) -> bool:
    wanted = _compact(_without_article(title_key))
    return any(
        fuzz.ratio(_compact(_without_article(t)), wanted) >= NEAR_TITLE_RATIO
        for t in _titles(candidate)
    )


def _year(value: object) -> int | None:
    text = str(value or "")
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def _int(value: object) -> int | None:
    """An integer TMDb sent as a number or numeric text; None for null or anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _dicts(value: object) -> list[Mapping[str, Any]]:
    """The objects of a list TMDb sent (null, or a list with nulls in it, happen)."""
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Genre:
    tmdb_genre_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Credit:
    person_id: int
    name: str
    credit_type: Literal["cast", "crew"]
    department: str | None
    job: str | None
    character_name: str | None
    order_position: int | None
    known_for_department: str | None
    profile_path: str | None

    @property
    def key(self) -> tuple[int, str, str | None, str | None]:
        """Seed 003's media_credits key within a title (person, credit_type, department),
        with the job or character, so several jobs in one department are several credits."""
        return (
            self.person_id,
            self.credit_type,
            self.department,
            self.job if self.credit_type == "crew" else self.character_name,
        )


@dataclass(frozen=True, slots=True)
class TitleFacts:
    """What TMDb's details (with client.DETAILS_APPENDED appended) say about a title."""

    tmdb_id: int
    tmdb_type: MediaType
    title: str
    original_title: str | None
    original_language: str | None
    spoken_languages: tuple[str, ...]
    runtime: int | None  # minutes; for shows the usual episode length
    genres: tuple[Genre, ...]
    release_date: date | None  # shows: first air date
    overview: str | None
    poster_path: str | None
    vote_average: float | None
    vote_count: int | None
    popularity: float | None
    imdb_id: str | None
    tvdb_id: int | None
    external_ids: Mapping[str, Any]
    credits: tuple[Credit, ...]
    adult: bool = False
    video: bool = False  # TMDb's flag for direct-to-video releases
    collection_id: int | None = None  # belongs_to_collection: "The Matrix Collection"
    collection_name: str | None = None
    tagline: str | None = None
    status: str | None = None  # "Released", "Returning Series", "Ended", ...
    backdrop_path: str | None = None
    trailer_url: str | None = None
    maturity_rating: str | None = None  # the US certification: "R", "TV-14"
    production_countries: tuple[str, ...] = ()  # ISO 3166-1: "US", "GB"
    next_episode: EpisodeFacts | None = None  # shows: the next episode TMDb has a date for

    @property
    def year(self) -> int | None:
        return self.release_date.year if self.release_date else None

    @property
    def recommended_age_min(self) -> int | None:
        return CERTIFICATION_MIN_AGE.get(self.maturity_rating or "")

    @property
    def media_id(self) -> int:
        return media_id(self.tmdb_type, self.tmdb_id)


def media_id(tmdb_type: str, tmdb_id: int) -> int:
    """Seed 003's media.id: movie and TV ids are separate number spaces on TMDb."""
    return stable_id("tmdb", tmdb_type, str(tmdb_id))


def title_facts(body: Mapping[str, Any], tmdb_type: MediaType) -> TitleFacts:
    """The facts of a details body. Real bodies have nulls anywhere, unknown genres and
    repeated credits; only a missing or non-numeric id makes a body unusable (ValueError)."""
    tmdb_id = _int(body.get("id"))
    if tmdb_id is None:
        raise ValueError(f"TMDb details without a usable id: {body.get('id')!r}")
    movie = tmdb_type == "movie"
    external = body.get("external_ids")
    external = external if isinstance(external, Mapping) else {}
    runtimes = [r for r in (_int(v) for v in body.get("episode_run_time") or []) if r]
    runtime = _int(body.get("runtime")) if movie else (runtimes[0] if runtimes else None)
    collection = body.get("belongs_to_collection")
    collection = collection if isinstance(collection, Mapping) else {}
    return TitleFacts(
        tmdb_id=tmdb_id,
        tmdb_type=tmdb_type,
        title=_text(body.get("title" if movie else "name")) or "",
        original_title=_text(body.get("original_title" if movie else "original_name")),
        original_language=_text(body.get("original_language")),
        spoken_languages=tuple(
            dict.fromkeys(
                code
                for s in _dicts(body.get("spoken_languages"))
                if (code := _text(s.get("iso_639_1")))
            )
        ),
        runtime=runtime or None,
        genres=_genres(body.get("genres")),
        release_date=_date(body.get("release_date" if movie else "first_air_date")),
        overview=_text(body.get("overview")),
        poster_path=_text(body.get("poster_path")),
        vote_average=_float(body.get("vote_average")),
        vote_count=_int(body.get("vote_count")),
        popularity=_float(body.get("popularity")),
        imdb_id=_text(body.get("imdb_id")) or _text(external.get("imdb_id")),
        tvdb_id=_int(external.get("tvdb_id")) or None,
        external_ids=external,
        credits=_credits(body),
        adult=body.get("adult") is True,
        video=body.get("video") is True,
        collection_id=_int(collection.get("id")),
        collection_name=_text(collection.get("name")),
        tagline=_text(body.get("tagline")),
        status=_text(body.get("status")),
        backdrop_path=_text(body.get("backdrop_path")),
        trailer_url=trailer_url(_results(body, "videos")),
        maturity_rating=(
            movie_certification(_results(body, "release_dates"))
            if movie
            else show_certification(_results(body, "content_ratings"))
        ),
        production_countries=_countries(body),
        next_episode=None if movie else _next_episode(body.get("next_episode_to_air")),
    )


def _results(body: Mapping[str, Any], part: str) -> list[Mapping[str, Any]]:
    """The results of an appended part: none when the body was fetched without it."""
    appended = body.get(part)
    return _dicts(appended.get("results")) if isinstance(appended, Mapping) else []


def us_certification(value: object) -> str | None:
    """A US rating in its usual spelling ("pg-13", "PG13" → "PG-13"); one this module does
    not know ("NR", "Unrated") as TMDb wrote it; empty → None."""
    text = _text(value)
    if text is None:
        return None
    return _RATING_SPELLINGS.get(_rating_key(text), text)


def _rating_key(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


_RATING_SPELLINGS = {_rating_key(c): c for c in CERTIFICATION_MIN_AGE}


def movie_certification(release_dates: Sequence[Mapping[str, Any]]) -> str | None:
    """The certification of the US theatrical release, else of the earliest other US release
    that has one (limited, premiere, digital...). Other countries' ratings are not US ones."""
    rated = [
        r
        for country in release_dates
        if _country(country) == "US"
        for r in _dicts(country.get("release_dates"))
        if _text(r.get("certification"))
    ]
    if not rated:
        return None
    best = min(
        rated,
        key=lambda r: (
            _int(r.get("type")) != THEATRICAL_RELEASE,
            _text(r.get("release_date")) or "~",  # undated last
        ),
    )
    return us_certification(best.get("certification"))


def show_certification(content_ratings: Sequence[Mapping[str, Any]]) -> str | None:
    """The show's US rating (content_ratings.results[].rating)."""
    return next(
        (
            rating
            for r in content_ratings
            if _country(r) == "US" and (rating := us_certification(r.get("rating")))
        ),
        None,
    )


def _country(entry: Mapping[str, Any]) -> str | None:
    code = _text(entry.get("iso_3166_1"))
    return code.upper() if code else None


# TMDb text is untrusted (it reaches the app and the chat): only a plain video id makes a link.
_VIDEO_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def trailer_url(videos: Sequence[Mapping[str, Any]]) -> str | None:
    """The best trailer's address: official before fan uploads, a trailer before a teaser,
    YouTube before Vimeo, then the first published (a re-release's trailer comes later)."""
    ranked: list[tuple[tuple[bool, int, int, str, str], str]] = []
    for v in videos:
        site = (_text(v.get("site")) or "").casefold()
        kind = (_text(v.get("type")) or "").casefold()
        key = _text(v.get("key")) or ""
        if site in VIDEO_URLS and kind in TRAILER_KINDS and _VIDEO_KEY.fullmatch(key):
            rank = (
                v.get("official") is not True,
                TRAILER_KINDS.index(kind),
                list(VIDEO_URLS).index(site),
                _text(v.get("published_at")) or "~",  # undated last
                key,
            )
            ranked.append((rank, VIDEO_URLS[site].format(key)))
    return min(ranked)[1] if ranked else None


def _countries(body: Mapping[str, Any]) -> tuple[str, ...]:
    """ISO 3166-1 codes of the production countries, else of the origin countries (shows
    often list only those)."""
    produced = [c.get("iso_3166_1") for c in _dicts(body.get("production_countries"))]
    origin = body.get("origin_country")
    return _country_codes(produced) or _country_codes(origin if isinstance(origin, list) else [])


def _country_codes(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            code.upper()
            for v in values
            if (code := _text(v)) and len(code) == 2 and code.isascii() and code.isalpha()
        )
    )


def _next_episode(value: object) -> EpisodeFacts | None:
    """next_episode_to_air (null when TMDb knows of none); without a date, season and number
    it is no calendar entry."""
    if not isinstance(value, Mapping):
        return None
    air_date = _date(value.get("air_date"))
    season, number = _int(value.get("season_number")), _int(value.get("episode_number"))
    if air_date is None or season is None or number is None:
        return None
    return EpisodeFacts(
        season, number, _text(value.get("name")), air_date, _int(value.get("runtime")) or None
    )


def _genres(value: object) -> tuple[Genre, ...]:
    """Distinct genres; one TMDb added after this code was written keeps its id, and its name
    if TMDb sent one."""
    found: dict[int, Genre] = {}
    for g in _dicts(value):
        genre_id = _int(g.get("id"))
        if genre_id is not None and genre_id not in found:
            found[genre_id] = Genre(genre_id, _text(g.get("name")) or f"Genre {genre_id}")
    return tuple(found.values())


def _credits(body: Mapping[str, Any]) -> tuple[Credit, ...]:
    """Top-billed cast and the key crew; a show's creators count as crew ("Creator").

    TMDb repeats people: one person in cast and crew, several jobs in one department, the same
    entry twice. A credit is one (person, cast/crew, department, job or character): repeats
    collapse, several jobs or roles of one person stay.
    """
    credits = body.get("credits")
    credits = credits if isinstance(credits, Mapping) else {}
    found: dict[tuple[int, str, str | None, str | None], Credit] = {}
    cast = sorted(
        (c for c in _dicts(credits.get("cast")) if _int(c.get("id")) is not None),
        key=lambda c: o if (o := _int(c.get("order"))) is not None else 10**6,
    )
    billed: set[int] = set()  # the top-billed people (one person can play several roles)
    for c in cast:
        person = int(c["id"])
        if person in billed or len(billed) < TOP_CAST:
            billed.add(person)
            credit = _credit(c, "cast", "Acting", None, _text(c.get("character")))
            found.setdefault(credit.key, credit)
    creators = [
        {**c, "department": "Writing", "job": "Creator"} for c in _dicts(body.get("created_by"))
    ]
    crew = [c for c in _dicts(credits.get("crew")) if c.get("job") in KEY_CREW_JOBS]
    for c in [*creators, *crew]:
        if _int(c.get("id")) is not None:
            credit = _credit(c, "crew", _text(c.get("department")), _text(c.get("job")), None)
            found.setdefault(credit.key, credit)
    return tuple(found.values())


def _credit(
    c: Mapping[str, Any],
    credit_type: Literal["cast", "crew"],
    department: str | None,
    job: str | None,
    character: str | None,
) -> Credit:
    return Credit(
        int(c["id"]),
        _text(c.get("name")) or "",
        credit_type,
        department,
        job,
        character,
        _int(c.get("order")) if credit_type == "cast" else None,
        _text(c.get("known_for_department")),
        _text(c.get("profile_path")),
    )


@dataclass(frozen=True, slots=True)
class EpisodeFacts:
    season: int
    episode: int
    name: str | None
    air_date: date | None
    runtime: int | None  # minutes


def episode_facts(season_body: Mapping[str, Any]) -> list[EpisodeFacts]:
    """Distinct episodes of a season body (TMDb has been seen listing one twice)."""
    found: dict[tuple[int, int], EpisodeFacts] = {}
    default_season = _int(season_body.get("season_number"))
    for e in _dicts(season_body.get("episodes")):
        season = _int(e.get("season_number"))
        season = default_season if season is None else season
        number = _int(e.get("episode_number"))
        if season is None or number is None or (season, number) in found:
            continue
        found[(season, number)] = EpisodeFacts(
            season=season,
            episode=number,
            name=_text(e.get("name")),
            air_date=_date(e.get("air_date")),
            runtime=_int(e.get("runtime")) or None,
        )
    return list(found.values())


def expected_runtime(
    title_runtime: int | None, episode_runtimes: Sequence[int | None]
) -> int | None:
    """Minutes a file should run: the movie's runtime, or the sum over the file's episodes
    (an episode TMDb has no length for counts as the show's usual episode length)."""
    if not episode_runtimes:
        return title_runtime
    filled = [r or title_runtime for r in episode_runtimes]
    return sum(r for r in filled if r) if all(filled) else None


def runtime_flag(
    duration_seconds: float | None,
    runtime_minutes: int | None,
    *,
    extra_kind: str | None = None,
    part: int | None = None,
) -> RuntimeFlag | None:
    """ "sample" or "truncated" when a file is far shorter than TMDb says the work runs."""
    if extra_kind or part or not duration_seconds or not runtime_minutes:
        return None
    if duration_seconds >= FAR_SHORTER_RATIO * runtime_minutes * 60:
        return None
    return "sample" if duration_seconds <= SAMPLE_MAX_SECONDS else "truncated"
