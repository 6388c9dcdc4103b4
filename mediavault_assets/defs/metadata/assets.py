"""TMDb metadata for the library's titles: matches, details, credits, episodes, and the rules
that use them (original language for untagged audio and foreign films, runtime vs duration).

Plan (in the "duckdb" pool): which identities are not settled within the cache TTL (or have
details of an older request shape), plus the cached responses their lookups may use. Fetch (no
pool, HTTP only): ask TMDb. Store (pool): one transaction writes everything and re-derives the
per-file facts. Without TMDb credentials the lookups are recorded as skipped and the rest of the
asset still runs.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import dagster as dg
import duckdb
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.defs.ingest.assets import parsed_names, probes
from mediavault_assets.domain.languages import language_facts
from mediavault_assets.domain.model import stable_id
from mediavault_assets.domain.tmdb_matching import (
    MatchDecision,
    TitleFacts,
    TitleIdentity,
    episode_facts,
    episode_key,
    expected_runtime,
    failed,
    identities,
    identity_key,
    is_settled,
    runtime_flag,
    skipped,
    title_facts,
)
from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.presentation import markdown_table
from mediavault_assets.progress import Progress
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.tmdb.cache import (
    CacheEntry,
    ResponseCache,
    load_entries,
    request_key,
    store_entries,
)
from mediavault_assets.tmdb.client import (
    Resolution,
    TmdbAuthError,
    TmdbError,
    TmdbResource,
    details_request,
    first_requests,
)
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session, replace_in

NO_CREDENTIALS = "no TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN in the environment"
# After this many identities in a row fail even with retries, TMDb is down: stop asking.
MAX_CONSECUTIVE_FAILURES = 3


@dataclass(frozen=True)
class LibraryIdentities:
    """The identities of the library as one step read it: the next step reuses them when its
    own read of the library is the same (deriving them takes ~1 s per 100,000 files)."""

    digest: int = 0
    identities: tuple[TitleIdentity, ...] = ()

    @staticmethod
    def of(library: pl.DataFrame) -> int:
        return int(library.hash_rows(seed=0).sum() or 0) ^ library.height

    def for_library(self, library: pl.DataFrame) -> list[TitleIdentity]:
        if self.identities and self.of(library) == self.digest:
            return list(self.identities)
        return identities(library.iter_rows(named=True))


@dataclass(frozen=True)
class TmdbPlan:
    pending: tuple[TitleIdentity, ...]
    cache: tuple[CacheEntry, ...]
    library: LibraryIdentities = LibraryIdentities()


@dataclass(frozen=True)
class TmdbFetch:
    resolutions: tuple[Resolution, ...]
    new_cache: tuple[CacheEntry, ...]
    requests_sent: int = 0
    cache_hits: int = 0
    retries: int = 0
    rate_limit_wait_seconds: float = 0.0
    skipped_reason: str | None = None
    errors: tuple[str, ...] = ()
    library: LibraryIdentities = LibraryIdentities()


@dg.op(
    pool=POOL,
    ins={"start": dg.In(dg.Nothing)},
    description="List identities not settled within the cache TTL (or matched by hand since) "
    "and load their cached responses.",
)
@in_one_session
def plan_tmdb(
    context: dg.OpExecutionContext,
    warehouse: Warehouse,
    tmdb: TmdbResource,
    settings: MediaVaultSettings,
) -> TmdbPlan:
    now = utc_now()
    # Matches people made in the app (review store): they win over search on every refresh.
    manual = ReviewStore(settings.load().app_store_path).manual_tmdb_matches()
    library_files = warehouse.named("tmdb_library_files")
    library = LibraryIdentities(
        LibraryIdentities.of(library_files),
        tuple(identities(library_files.iter_rows(named=True))),
    )
    found = [replace(i, manual_tmdb_id=manual.get(i.key)) for i in library.identities]
    stored = {
        r["identity_key"]: r
        for r in warehouse.named(
            "tmdb_fresh_matches", {"fresh_after": now - tmdb.cache_ttl}
        ).iter_rows(named=True)
    }
    has_credentials = tmdb.has_credentials()
    if has_credentials:  # without a key, details of an older shape are better than none
        stored = _with_current_details(warehouse, stored, now)
    else:
        skipped_before = warehouse.named("tmdb_skipped_without_key", {"reason": NO_CREDENTIALS})
        stored |= {r["identity_key"]: r for r in skipped_before.iter_rows(named=True)}
    pending = tuple(i for i in found if not is_settled(i, stored))
    cache: list[CacheEntry] = []
    if pending and has_credentials:
        keys = [request_key(*r) for i in pending for r in first_requests(i)]
        known_ids = [i.known_tmdb_id for i in pending if i.known_tmdb_id]
        cache = load_entries(warehouse, keys, known_ids, now)
    context.log.info(
        f"{len(found)} titles in the library, {len(pending)} to look up "
        f"({len(cache)} cached responses available)"
    )
    return TmdbPlan(pending, tuple(cache), library)


def _with_current_details(
    warehouse: Warehouse, stored: dict[str, dict[str, Any]], now: datetime
) -> dict[str, dict[str, Any]]:
    """The stored matches, less the matched ones whose details the cache does not hold in
    today's request shape (fetched before release_dates, content_ratings and videos were
    appended, or expired since): those are looked up again, their searches answered from the
    cache, their details fetched."""
    wanted = {
        key: request_key(*details_request(row["tmdb_type"], row["tmdb_id"]))
        for key, row in stored.items()
        if row["status"] == "matched" and row["tmdb_type"] in ("movie", "tv")
    }
    keys = sorted(set(wanted.values()))
    cached = set(warehouse.named("tmdb_cached_keys", {"keys": keys, "now": now})["request_key"])
    return {k: row for k, row in stored.items() if k not in wanted or wanted[k] in cached}


@dg.op(description="Look the pending identities up on TMDb (HTTP only, no warehouse access).")
def fetch_tmdb(context: dg.OpExecutionContext, tmdb: TmdbResource, plan: TmdbPlan) -> TmdbFetch:
    return replace(_fetched(context, tmdb, plan), library=plan.library)


def _fetched(context: dg.OpExecutionContext, tmdb: TmdbResource, plan: TmdbPlan) -> TmdbFetch:
    if not plan.pending:
        return TmdbFetch((), (), skipped_reason=None if tmdb.has_credentials() else NO_CREDENTIALS)
    cache = ResponseCache(plan.cache, ttl=tmdb.cache_ttl)
    client = tmdb.client(cache)
    if client is None:
        context.log.warning(f"TMDb enrichment skipped: {NO_CREDENTIALS}")
        return _all_skipped(plan.pending, NO_CREDENTIALS)
    resolutions: list[Resolution] = []
    errors: list[str] = []
    stop_reason: str | None = None
    failures_in_a_row = 0
    progress = Progress(context, "tmdb", len(plan.pending), unit="titles")
    with client:
        for done, identity in enumerate(plan.pending, start=1):
            if stop_reason is not None:
                resolutions.append(Resolution(identity, skipped(stop_reason)))
                continue
            try:
                resolutions.append(client.resolve(identity))
                failures_in_a_row = 0
            except TmdbAuthError as error:
                stop_reason = str(error)
                resolutions.append(Resolution(identity, skipped(stop_reason)))
            except TmdbError as error:
                errors.append(f"{identity.title}: {error}")
                resolutions.append(Resolution(identity, failed(f"TMDb error: {error}")))
                failures_in_a_row += 1
                if failures_in_a_row >= MAX_CONSECUTIVE_FAILURES:
                    stop_reason = f"TMDb unavailable ({error})"
            except (KeyError, TypeError, ValueError) as error:
                # An answer of a shape nobody expected: this title only, TMDb itself is fine.
                reason = f"unusable TMDb answer: {type(error).__name__}: {error}"
                errors.append(f"{identity.title}: {reason}")
                resolutions.append(Resolution(identity, failed(reason)))
            progress(done)
    if stop_reason:
        context.log.warning(f"TMDb lookups stopped: {stop_reason}")
    return TmdbFetch(
        resolutions=tuple(resolutions),
        new_cache=tuple(cache.new_entries),
        requests_sent=client.requests_sent,
        cache_hits=cache.hits,
        retries=client.retries,
        rate_limit_wait_seconds=round(client.limiter.waited_seconds, 2),
        skipped_reason=stop_reason,
        errors=tuple(errors),
    )


def _all_skipped(pending: Iterable[TitleIdentity], reason: str) -> TmdbFetch:
    return TmdbFetch(
        tuple(Resolution(i, skipped(reason)) for i in pending), (), skipped_reason=reason
    )


@dg.op(
    pool=POOL,
    out=dg.Out(dg.Nothing),
    description="Store matches, titles, episodes, credits and cache; re-derive per-file facts.",
)
@in_one_session
def store_tmdb(context: dg.OpExecutionContext, warehouse: Warehouse, fetched: TmdbFetch) -> None:
    now = utc_now()
    # The responses first, in a transaction of their own: whatever fails after this, the next
    # run answers these requests from the cache.
    with warehouse.transaction() as con:
        store_entries(con, fetched.new_cache, now)
    tables = _title_tables(fetched.resolutions, now)
    errors = [*fetched.errors, *tables.failures]
    for error in tables.failures:
        context.log.warning(error)
    with warehouse.transaction() as con:
        for table, (key_sql, keys, frame) in tables.writes.items():
            if keys or frame.height:
                _replace(con, table, key_sql, keys, frame)
        library = _query(con, "tmdb_library_files")
        current = fetched.library.for_library(library)
        present = pl.DataFrame(
            {"identity_key": sorted({k for i in current for k in (i.key, *i.episode_keys())})},
            schema={"identity_key": pl.String},
        )
        con.register("present_identities", present)
        con.execute(sql_files.query("tmdb_delete_orphan_matches"))
        con.unregister("present_identities")
        file_rows, language_updates = _file_facts(con, library)
        replace_in(con, "tmdb_file_matches", file_rows, "true", ())
        if language_updates.height:
            con.register("language_updates", language_updates)
            con.execute(sql_files.query("tmdb_update_languages"))
            con.unregister("language_updates")
        summary = _query(con, "tmdb_match_summary").row(0, named=True)
        review = _query(con, "tmdb_review_list")
    warehouse.publish_snapshot()
    context.add_output_metadata(
        {
            "skipped_without_key": fetched.skipped_reason == NO_CREDENTIALS,
            "skipped_reason": fetched.skipped_reason or "none",
            "titles_in_library": len(current),
            "identities_looked_up": len(fetched.resolutions),
            "identities_matched": summary["matched"],
            "identities_unmatched": summary["unmatched"],
            "identities_ambiguous": summary["ambiguous"],
            "identities_skipped": summary["skipped"],
            "titles_failed": summary["failed"],
            "requests_sent": fetched.requests_sent,
            "cache_hits": fetched.cache_hits,
            "retries": fetched.retries,
            "rate_limit_wait_seconds": fetched.rate_limit_wait_seconds,
            "lookup_errors": len(fetched.errors),
            "store_errors": len(tables.failures),
            "titles_stored": tables.titles,
            "files_matched": file_rows.height,
            "files_runtime_flagged": file_rows.filter(pl.col("runtime_flag").is_not_null()).height,
            "files_language_updated": language_updates.height,
            "review": dg.MetadataValue.md(
                markdown_table(review.drop("candidates").head(30).to_dicts()) or "nothing to review"
            ),
            "errors": dg.MetadataValue.md(
                markdown_table([{"error": e} for e in errors[:30]]) or "none"
            ),
        }
    )


@dg.graph_asset(
    group_name="library",
    ins={
        "parsed_names": dg.AssetIn(key=parsed_names.key, dagster_type=dg.Nothing),
        "probes": dg.AssetIn(key=probes.key, dagster_type=dg.Nothing),
    },
    description="TMDb metadata per title (seed 002's tmdb_* columns, original and spoken "
    "languages, runtime, genres, credits, IMDb id, episode titles; seed 003's US "
    "certification, trailer, production countries, a show's next episode); untagged audio "
    "takes the original language, and files far shorter than the runtime are flagged. "
    "Skipped, not failed, without TMDB_API_KEY / TMDB_READ_ACCESS_TOKEN.",
)
def tmdb_metadata(parsed_names, probes) -> None:  # type: ignore[no-untyped-def]
    return store_tmdb(fetch_tmdb(plan_tmdb(start=[parsed_names, probes])))


@dg.definitions
def metadata_definitions() -> dg.Definitions:
    # A @definitions function replaces the module's auto-discovery, so it lists the asset too.
    # TmdbResource reads credentials only when used: binding it never fails a code location load.
    return dg.Definitions(assets=[tmdb_metadata], resources={"tmdb": TmdbResource()})


@dataclass(frozen=True)
class _TitleTables:
    """Frames to write, each with the key expression and keys of the rows it replaces; and the
    identities whose TMDb answer could not be stored (title: reason)."""

    titles: int
    writes: dict[str, tuple[str, list[Any], pl.DataFrame]]
    failures: tuple[str, ...] = ()


# Per table: its schema and the key its rows are replaced and de-duplicated by.
_KEYS = {
    "tmdb_matches": ("identity_key",),
    "tmdb_titles": ("media_id",),
    "tmdb_episodes": ("show_tmdb_id", "season", "episode"),
    "genres": ("id",),
    "media_genres": ("media_id", "genre_id"),
    "people": ("id",),
    "media_credits": ("id",),
    "tmdb_external_ids": ("id",),
}


def _title_tables(resolutions: Sequence[Resolution], now: datetime) -> _TitleTables:
    """One title's rows are built (and typed) on their own, so a body that cannot be stored
    costs that title, recorded as failed, never the store step."""
    frames: dict[str, list[pl.DataFrame]] = {table: [] for table in _KEYS}
    seasons: list[str] = []
    media_ids: list[int] = []
    failures: list[str] = []
    for r in resolutions:
        try:
            title_rows, title_seasons = _resolution_rows(r, now)
            typed = {t: pl.DataFrame(rows, schema=_SCHEMAS[t]) for t, rows in title_rows.items()}
        except (KeyError, TypeError, ValueError, OverflowError, pl.exceptions.PolarsError) as error:
            reason = f"TMDb answer could not be stored: {type(error).__name__}: {error}"
            failures.append(f"{r.identity.title}: {reason}")
            decision = failed(reason[:500])
            typed = {
                "tmdb_matches": pl.DataFrame(
                    [_match_row(r.identity.key, r.identity, decision, now)], schema=_MATCH_SCHEMA
                )
            }
            title_seasons = []
        for table, frame in typed.items():
            frames[table].append(frame)
        seasons.extend(title_seasons)
        media_ids.extend(
            typed["tmdb_titles"]["media_id"].to_list() if "tmdb_titles" in typed else []
        )
    merged = {
        table: pl.concat(parts).unique(subset=list(_KEYS[table]), keep="last", maintain_order=True)
        if parts
        else pl.DataFrame(schema=_SCHEMAS[table])
        for table, parts in frames.items()
    }
    media_ids = sorted(set(media_ids))
    return _TitleTables(
        titles=len(media_ids),
        writes={
            "tmdb_matches": (
                "identity_key",
                merged["tmdb_matches"]["identity_key"].to_list(),
                merged["tmdb_matches"],
            ),
            "tmdb_titles": ("media_id", media_ids, merged["tmdb_titles"]),
            "tmdb_episodes": (
                "show_tmdb_id::VARCHAR || ':' || season",
                sorted(set(seasons)),
                merged["tmdb_episodes"],
            ),
            "genres": ("id", merged["genres"]["id"].to_list(), merged["genres"]),
            "media_genres": ("media_id", media_ids, merged["media_genres"]),
            "people": ("id", merged["people"]["id"].to_list(), merged["people"]),
            "media_credits": ("media_id", media_ids, merged["media_credits"]),
            "tmdb_external_ids": ("entity_id", media_ids, merged["tmdb_external_ids"]),
        },
        failures=tuple(failures),
    )


def _resolution_rows(
    r: Resolution, now: datetime
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """The rows one resolution adds to each table, and the "show:season" keys it replaces."""
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in _KEYS}
    seasons: list[str] = []
    found: set[tuple[int, int]] = set()
    if r.details is not None and r.decision.tmdb_type is not None:
        t = title_facts(r.details, r.decision.tmdb_type)
        rows["tmdb_titles"].append(_title_row(t, now))
        rows["genres"].extend(
            {
                "id": g.tmdb_genre_id,
                "tmdb_genre_id": g.tmdb_genre_id,
                "name": g.name,
                "slug": _slug(g.name),
            }
            for g in t.genres
        )
        rows["media_genres"].extend(
            {"media_id": t.media_id, "genre_id": g.tmdb_genre_id} for g in t.genres
        )
        rows["people"].extend(
            {
                "id": c.person_id,
                "tmdb_person_id": c.person_id,
                "name": c.name,
                "known_for_department": c.known_for_department,
                "profile_path": c.profile_path,
                "updated_at": now,
            }
            for c in t.credits
        )
        rows["media_credits"].extend(_credit_rows(t))
        rows["tmdb_external_ids"].extend(_provider_rows(t))
        for number, body in r.seasons.items():
            seasons.append(f"{t.tmdb_id}:{number}")
            for e in episode_facts(body):
                found.add((e.season, e.episode))
                rows["tmdb_episodes"].append(
                    {
                        "show_tmdb_id": t.tmdb_id,
                        "season": e.season,
                        "episode": e.episode,
                        "name": e.name,
                        "air_date": e.air_date,
                        "runtime": e.runtime,
                        "fetched_at": now,
                    }
                )
    rows["tmdb_matches"].append(_match_row(r.identity.key, r.identity, r.decision, now))
    for season, number in r.identity.episodes:
        decision = _episode_decision(r.decision, found, season, number)
        key = episode_key(r.identity.key, season, number)
        rows["tmdb_matches"].append(
            _match_row(key, r.identity, decision, now, season=season, episode=number)
        )
    return rows, seasons


def _episode_decision(
    show: MatchDecision, found: set[tuple[int, int]], season: int, episode: int
) -> MatchDecision:
    if show.status != "matched":
        return MatchDecision(show.status, f"show {show.status}: {show.reason}")
    if (season, episode) not in found:
        return MatchDecision("unmatched", f"TMDb lists no S{season:02d}E{episode:02d} of this show")
    return MatchDecision(
        "matched", f"S{season:02d}E{episode:02d}", show.tmdb_id, show.tmdb_type, show.confidence
    )


def _match_row(
    key: str,
    identity: TitleIdentity,
    decision: MatchDecision,
    now: datetime,
    *,
    season: int | None = None,
    episode: int | None = None,
) -> dict[str, Any]:
    return {
        "identity_key": key,
        "media_type": identity.media_type,
        "title": identity.title,
        "year": identity.year,
        "season": season,
        "episode": episode,
        "tmdb_id": decision.tmdb_id,
        "tmdb_type": decision.tmdb_type,
        "confidence": decision.confidence if decision.status == "matched" else None,
        "status": decision.status,
        "reason": decision.reason,
        "candidates": decision.candidates_json(),
        "matched_at": now,
    }


def _title_row(t: TitleFacts, now: datetime) -> dict[str, Any]:
    return {
        "tmdb_id": t.tmdb_id,
        "tmdb_type": t.tmdb_type,
        "media_id": t.media_id,
        "adult": t.adult,
        "video": t.video,
        "collection_id": t.collection_id,
        "collection_name": t.collection_name,
        "title": t.title,
        "original_title": t.original_title,
        "original_language": t.original_language,
        "spoken_languages": list(t.spoken_languages),
        "runtime": t.runtime,
        "genres": [g.name for g in t.genres],
        "release_date": t.release_date,
        "year": t.year,
        "overview": t.overview,
        "poster_path": t.poster_path,
        "vote_average": t.vote_average,
        "vote_count": t.vote_count,
        "imdb_id": t.imdb_id,
        "popularity": t.popularity,
        "tagline": t.tagline,
        "status": t.status,
        "backdrop_path": t.backdrop_path,
        "trailer_url": t.trailer_url,
        "maturity_rating": t.maturity_rating,
        "recommended_age_min": t.recommended_age_min,
        "production_countries": list(t.production_countries),
        "next_episode_air_date": t.next_episode.air_date if t.next_episode else None,
        "next_episode_season": t.next_episode.season if t.next_episode else None,
        "next_episode_number": t.next_episode.episode if t.next_episode else None,
        "next_episode_name": t.next_episode.name if t.next_episode else None,
        "fetched_at": now,
    }


def _credit_rows(t: TitleFacts) -> list[dict[str, Any]]:
    return [
        {
            "id": stable_id("credit", str(t.media_id), *(str(part or "") for part in c.key)),
            "media_id": t.media_id,
            "person_id": c.person_id,
            "credit_type": c.credit_type,
            "department": c.department,
            "job": c.job,
            "character_name": c.character_name,
            "order_position": c.order_position,
        }
        for c in t.credits
    ]


def _provider_rows(t: TitleFacts) -> list[dict[str, Any]]:
    refs = {"imdb": t.imdb_id, "tvdb": str(t.tvdb_id) if t.tvdb_id else None}
    return [
        {
            "id": stable_id("provider_ref", str(t.media_id), provider),
            "entity_type": "title",
            "entity_id": t.media_id,
            "provider": provider,
            "provider_key": key,
            "raw": json.dumps(dict(t.external_ids)),
            "title_id": t.media_id,
        }
        for provider, key in refs.items()
        if key
    ]


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def _file_facts(
    con: duckdb.DuckDBPyConnection, library: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per file: its matched title, episode names, expected runtime and runtime flag; and the
    seed 000 language columns of probed files whose title's original language changes them."""
    titles = {
        r["identity_key"]: r for r in _query(con, "tmdb_matched_titles").iter_rows(named=True)
    }
    episodes = {
        (r["show_tmdb_id"], r["season"], r["episode"]): r
        for r in _query(con, "tmdb_show_episodes").iter_rows(named=True)
    }
    file_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in library.iter_rows(named=True):
        title = titles.get(identity_key(row)) if row["title_key"] else None
        if title is None:
            continue
        found = (
            [episodes.get((title["tmdb_id"], row["season"], e)) for e in row["episodes"] or ()]
            if title["tmdb_type"] == "tv"
            else []
        )
        runtime = expected_runtime(title["runtime"], [e["runtime"] if e else None for e in found])
        file_rows.append(
            {
                "file_id": row["file_id"],
                "identity_key": title["identity_key"],
                "tmdb_id": title["tmdb_id"],
                "tmdb_type": title["tmdb_type"],
                "confidence": title["confidence"],
                "episode_title": " / ".join(e["name"] for e in found if e and e["name"]) or None,
                "runtime": runtime,
                "runtime_flag": runtime_flag(
                    row["duration"], runtime, extra_kind=row["extra_kind"], part=row["part"]
                ),
                "matched_at": title["matched_at"],
            }
        )
        if (
            title["original_language"]
            and row["audio_languages"] is not None
            and not row["probe_error"]
        ):
            facts = language_facts(
                row["audio_languages"], row["subtitle_languages"] or (), title["original_language"]
            )
            update = {
                "file_id": row["file_id"],
                "audio_languages": list(facts.audio_languages),
                "has_english_audio": facts.has_english_audio,
                "has_english_subtitles": facts.has_english_subtitles,
                "is_foreign_film": facts.is_foreign_film,
            }
            if any(row[k] != v for k, v in update.items()):
                updates.append(update)
    return (
        pl.DataFrame(file_rows, schema=_FILE_MATCH_SCHEMA),
        pl.DataFrame(updates, schema=_LANGUAGE_SCHEMA),
    )


def _query(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    return con.sql(sql_files.query(name)).pl()


def _replace(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key_sql: str,
    keys: Sequence[Any],
    frame: pl.DataFrame,
) -> None:
    """Delete the rows whose key is in `keys`, insert `frame` (inside the caller's transaction).

    `key_sql` is an expression of this module's own (a column or a composite key), never input.
    """
    con.execute(
        f"DELETE FROM {table} WHERE list_contains(?::VARCHAR[], ({key_sql})::VARCHAR)",
        [[str(k) for k in keys]],
    )
    _insert(con, table, frame)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height:
        con.register("incoming_rows", frame)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows")
        con.unregister("incoming_rows")


_MATCH_SCHEMA = {
    "identity_key": pl.String,
    "media_type": pl.String,
    "title": pl.String,
    "year": pl.Int32,
    "season": pl.Int32,
    "episode": pl.Int32,
    "tmdb_id": pl.Int64,
    "tmdb_type": pl.String,
    "confidence": pl.Float64,
    "status": pl.String,
    "reason": pl.String,
    "candidates": pl.String,
    "matched_at": pl.Datetime("us"),
}
_TITLE_SCHEMA = {
    "tmdb_id": pl.Int64,
    "tmdb_type": pl.String,
    "media_id": pl.Int64,
    "title": pl.String,
    "original_title": pl.String,
    "original_language": pl.String,
    "spoken_languages": pl.List(pl.String),
    "runtime": pl.Int32,
    "genres": pl.List(pl.String),
    "release_date": pl.Date,
    "year": pl.Int32,
    "overview": pl.String,
    "poster_path": pl.String,
    "vote_average": pl.Float64,
    "vote_count": pl.Int32,
    "imdb_id": pl.String,
    "popularity": pl.Float64,
    "adult": pl.Boolean,
    "video": pl.Boolean,
    "collection_id": pl.Int64,
    "collection_name": pl.String,
    "tagline": pl.String,
    "status": pl.String,
    "backdrop_path": pl.String,
    "trailer_url": pl.String,
    "maturity_rating": pl.String,
    "recommended_age_min": pl.Int32,
    "production_countries": pl.List(pl.String),
    "next_episode_air_date": pl.Date,
    "next_episode_season": pl.Int32,
    "next_episode_number": pl.Int32,
    "next_episode_name": pl.String,
    "fetched_at": pl.Datetime("us"),
}
_EPISODE_SCHEMA = {
    "show_tmdb_id": pl.Int64,
    "season": pl.Int32,
    "episode": pl.Int32,
    "name": pl.String,
    "air_date": pl.Date,
    "runtime": pl.Int32,
    "fetched_at": pl.Datetime("us"),
}
_GENRE_SCHEMA = {
    "id": pl.Int64,
    "tmdb_genre_id": pl.Int32,
    "name": pl.String,
    "slug": pl.String,
}
_PEOPLE_SCHEMA = {
    "id": pl.Int64,
    "tmdb_person_id": pl.Int32,
    "name": pl.String,
    "known_for_department": pl.String,
    "profile_path": pl.String,
    "updated_at": pl.Datetime("us"),
}
_CREDIT_SCHEMA = {
    "id": pl.Int64,
    "media_id": pl.Int64,
    "person_id": pl.Int64,
    "credit_type": pl.String,
    "department": pl.String,
    "job": pl.String,
    "character_name": pl.String,
    "order_position": pl.Int32,
}
_PROVIDER_SCHEMA = {
    "id": pl.Int64,
    "entity_type": pl.String,
    "entity_id": pl.Int64,
    "provider": pl.String,
    "provider_key": pl.String,
    "raw": pl.String,
    "title_id": pl.Int64,
}
_FILE_MATCH_SCHEMA = {
    "file_id": pl.Int64,
    "identity_key": pl.String,
    "tmdb_id": pl.Int64,
    "tmdb_type": pl.String,
    "confidence": pl.Float64,
    "episode_title": pl.String,
    "runtime": pl.Int32,
    "runtime_flag": pl.String,
    "matched_at": pl.Datetime("us"),
}
_SCHEMAS: dict[str, dict[str, Any]] = {
    "tmdb_matches": _MATCH_SCHEMA,
    "tmdb_titles": _TITLE_SCHEMA,
    "tmdb_episodes": _EPISODE_SCHEMA,
    "genres": _GENRE_SCHEMA,
    "media_genres": {"media_id": pl.Int64, "genre_id": pl.Int64},
    "people": _PEOPLE_SCHEMA,
    "media_credits": _CREDIT_SCHEMA,
    "tmdb_external_ids": _PROVIDER_SCHEMA,
}
_LANGUAGE_SCHEMA = {
    "file_id": pl.Int64,
    "audio_languages": pl.List(pl.String),
    "has_english_audio": pl.Boolean,
    "has_english_subtitles": pl.Boolean,
    "is_foreign_film": pl.Boolean,
}
