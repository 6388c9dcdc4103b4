"""Reviews, watches, the calendar, custom fields, recommendations and the similar-title search
from the terminal and the app (seed 003). The API the app's pages call.

Reads the published snapshot to find titles and their facts, and writes only the review store
(watching_store.py), so a review is saved while a Dagster run writes the warehouse; what the
store holds is read live (a review shows at once, before any refresh).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

import polars as pl
from rapidfuzz import fuzz

from mediavault_assets.domain.naming import normalize_title
from mediavault_assets.domain.recommend import Candidate, Recommendation, recommend
from mediavault_assets.domain.semantic_search import SearchResults, search, semantic_search
from mediavault_assets.domain.watching import TitleRef, WatchingError, title_ref
from mediavault_assets.embeddings import EMBEDDING_TYPE, EmbeddingError, embedder_for, library_docs
from mediavault_assets.settings import Secrets, Settings, load_secrets
from mediavault_assets.snapshot import read_named
from mediavault_assets.watching_store import (
    CalendarEvent,
    Preset,
    Review,
    WatchEntry,
    WatchingStore,
)

_YEAR = re.compile(r"\s*\(?((?:19|20)\d{2})\)?\s*$")
_FUZZY_MIN = 85
QUERY_TIMEOUT_SECONDS = 15.0  # a person waits for the answer; past this, the lexical one


class UnknownTitleError(WatchingError):
    """A title that is not in the library, or a name that fits several (the message lists)."""


def store_for(settings: Settings) -> WatchingStore:
    return WatchingStore(settings.app_store_path)


def library_titles(settings: Settings) -> list[TitleRef]:
    return [
        title_ref(r) for r in read_named(settings, "watching/library_titles").iter_rows(named=True)
    ]


def resolve_title(settings: Settings, text: str) -> TitleRef:
    """A title of the library by media id, or by name ("Heat", "heat 1995", "Heat (1995)"):
    exact names first, then close ones; several equally good → an error naming them."""
    titles = library_titles(settings)
    if text.strip().isdigit():
        found = [t for t in titles if t.media_id == int(text)]
        if found:
            return found[0]
    year_match = _YEAR.search(text)
    year = int(year_match.group(1)) if year_match else None
    name = normalize_title(_YEAR.sub("", text) if year_match else text)
    pool = [t for t in titles if year is None or t.year == year] or titles
    exact = [t for t in pool if normalize_title(t.name) == name]
    if len(exact) == 1:
        return exact[0]
    candidates = exact or [
        t for t in pool if fuzz.WRatio(name, normalize_title(t.name)) >= _FUZZY_MIN
    ]
    if not candidates:
        raise UnknownTitleError(f"no title like {text!r} in the library (as of the last refresh)")
    if not exact:
        best = max(fuzz.WRatio(name, normalize_title(t.name)) for t in candidates)
        candidates = [t for t in candidates if fuzz.WRatio(name, normalize_title(t.name)) == best]
    if len(candidates) > 1:
        listed = "; ".join(
            f"{t.media_id} {t.name}{f' ({t.year})' if t.year else ''} [{t.kind}]"
            for t in candidates[:10]
        )
        raise UnknownTitleError(f"{text!r} fits several titles, give one by id: {listed}")
    return candidates[0]


@dataclass(frozen=True)
class TitlePage:
    """Everything the title page shows."""

    media: dict[str, object]  # seed 003's media row
    cast: list[str]
    reviews: list[Review]
    watches: list[WatchEntry]
    events: list[CalendarEvent]
    custom_fields: dict[str, object]
    files: pl.DataFrame  # file_id, filepath, file_size, resolution, quality_tier, ...


def title_page(settings: Settings, media_id: int) -> TitlePage:
    media = read_named(settings, "watching/media_row", {"media_id": media_id})
    if not media.height:
        raise UnknownTitleError(f"no title {media_id} in the library")
    store = store_for(settings)
    cast = read_named(settings, "watching/title_cast", {"media_id": media_id})
    return TitlePage(
        media=media.row(0, named=True),
        cast=cast["name"].to_list(),
        reviews=store.reviews(media_id),
        watches=store.watches(media_id),
        events=[e for e in store.events() if e.media_id == media_id],
        custom_fields=store.field_values(media_id).get(media_id, {}),
        files=read_named(settings, "watching/title_files", {"media_id": media_id}),
    )


def calendar(settings: Settings, since: date | None = None) -> list[dict[str, object]]:
    """Planned watches and other events from the store, and the next air dates of shows on
    disk (TMDb, as of the last refresh), by date."""
    since = since or datetime.now(UTC).date()
    rows: list[dict[str, object]] = [
        {**asdict(e), "source": "user"} for e in store_for(settings).events(since=since)
    ]
    releases = read_named(settings, "watching/releases", {"since": since})
    rows.extend({**r, "source": "tmdb"} for r in releases.iter_rows(named=True))
    return sorted(rows, key=lambda r: (str(r["event_date"]), str(r.get("title") or "")))


def _candidates(settings: Settings, store: WatchingStore) -> list[Candidate]:
    values = store.field_values()
    return [
        Candidate(
            media_id=r["media_id"],
            title=r["title"],
            year=r["year"],
            media_type=r["media_type"],
            maturity_rating=r["maturity_rating"],
            genres=tuple(r["genres"]),
            rating=r["rating"],
            runtime=r["runtime"],
            director_scores=tuple(r["director_scores"]),
            writer_scores=tuple(r["writer_scores"]),
            custom_fields=values.get(r["media_id"], {}),
        )
        for r in read_named(settings, "watching/candidates").iter_rows(named=True)
    ]


def watched_titles(store: WatchingStore) -> set[int]:
    """Titles the person has seen: a completed watch of the whole title (a movie), or a review."""
    seen = {w.media_id for w in store.watches() if w.completed and w.season_number is None}
    return seen | {r.media_id for r in store.reviews() if r.season_number is None}


def recommend_titles(
    settings: Settings, preset: str | None = None, *, limit: int = 20
) -> tuple[Preset, list[Recommendation]]:
    """The titles on disk not watched yet, scored by the preset (default: the default one);
    counts one use of the preset."""
    store = store_for(settings)
    chosen = store.preset(preset)
    results = recommend(
        _candidates(settings, store),
        chosen.criteria_config,
        watched=watched_titles(store),
        limit=limit,
    )
    store.record_use(chosen.name)
    return store.preset(chosen.name), results


def similar(
    settings: Settings, query: str, *, limit: int = 10, secrets: Secrets | None = None
) -> SearchResults:
    """Titles of the library for a plain-language wish ("like Blade Runner but funnier"), from
    their overviews, taglines, genres and the person's reviews and tags: by meaning when a model
    is configured and the last refresh stored its vectors, else lexically (offline). The
    results' `method` says which answered."""
    if not query.strip():
        raise WatchingError("say what you would like to watch")
    docs = library_docs(
        read_named(settings, "watching/candidates").iter_rows(named=True),
        store_for(settings).reviews(),
    )
    embedder = embedder_for(secrets or load_secrets(), timeout=QUERY_TIMEOUT_SECONDS)
    if embedder is None:
        return SearchResults(search(query, docs, limit=limit), "lexical (offline)")
    stored = read_named(
        settings,
        "watching/embeddings",
        {"embedding_type": EMBEDDING_TYPE, "embedding_model": embedder.model},
    )
    if not stored.height:
        why = f"lexical (no {embedder.model} vectors yet: refresh)"
        return SearchResults(search(query, docs, limit=limit), why)
    try:
        [wish] = embedder.embed([query])
    except EmbeddingError as error:
        why = f"lexical ({embedder.model} unavailable: {error})"
        return SearchResults(search(query, docs, limit=limit), why)
    vectors = dict(zip(stored["media_id"], stored["embedding"].to_list(), strict=True))
    hits = semantic_search(query, wish, docs, vectors, limit=limit)
    return SearchResults(hits, f"semantic ({embedder.model})")
