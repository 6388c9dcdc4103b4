"""Seed 003's watching data in the warehouse: reviews, watch history, calendar, presets and
custom fields mirrored from the review store; release dates of shows on disk; the genre
taxonomy; people's scores.

The review store owns the user's data (watching_store.py); this asset re-keys titles whose id
changed since (domain.watching.followed_titles), then mirrors everything so SQL and the chat
see it, and publishes the snapshot the app reads.
"""

import dagster as dg
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.defs.metadata.assets import tmdb_metadata
from mediavault_assets.domain.genre_taxonomy import (
    TMDB_GENRE_PARENTS,
    derived_genres,
    taxonomy,
    tmdb_genre_placement,
)
from mediavault_assets.domain.watching import TitleRef, followed_titles, title_ref
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session
from mediavault_assets.watching_store import WatchingStore


def library_titles(warehouse: Warehouse) -> list[TitleRef]:
    """The titles on disk as the store knows titles."""
    return [title_ref(r) for r in warehouse.named("watching/library_titles").iter_rows(named=True)]


def follow_changed_titles(store: WatchingStore, current: list[TitleRef]) -> dict[int, int]:
    """Re-key the data of titles whose id changed (old → new) and refresh what the store
    remembers of the others (their names and TMDb ids now)."""
    by_id = {t.media_id: t for t in current}
    stored = store.titles()
    moves = followed_titles(stored.values(), current)
    store.follow(
        {old: by_id[new] for old, new in moves.items()}
        | {i: by_id[i] for i in stored if i in by_id and by_id[i] != stored[i]}
    )
    return moves


# What genres_refresh and mirror write.
WATCHING_TABLES = (
    "genres",
    "media_genres",
    "user_reviews",
    "watch_history",
    "calendar_events",
    "recommendation_criteria",
    "custom_fields_schema",
    "media_custom_fields",
    "people",
)


def genre_frames(warehouse: Warehouse) -> dict[str, pl.DataFrame]:
    genres = taxonomy()
    placements = [(i, *tmdb_genre_placement(i)) for i in TMDB_GENRE_PARENTS]
    derived = [
        {"media_id": r["media_id"], "genre_id": genre_id, "weight": weight}
        for r in warehouse.named("watching/title_genre_facts").iter_rows(named=True)
        for genre_id, weight in derived_genres(
            r["tmdb_genre_ids"],
            original_language=r["original_language"],
            countries=r["countries"],
            year=r["year"],
        )
    ]
    return {
        "taxonomy_genres": pl.DataFrame(
            [
                {
                    "id": g.id,
                    "tmdb_genre_id": g.tmdb_genre_id,
                    "name": g.name,
                    "slug": g.slug,
                    "parent_genre_id": g.parent_genre_id,
                    "genre_category": g.genre_category,
                    "description": g.description,
                }
                for g in genres
            ],
            schema_overrides={"tmdb_genre_id": pl.Int32, "parent_genre_id": pl.Int64},
        ),
        "genre_placements": pl.DataFrame(
            placements,
            schema={"id": pl.Int64, "parent_genre_id": pl.Int64, "genre_category": pl.String},
            orient="row",
        ),
        "derived_media_genres": pl.DataFrame(
            derived, schema={"media_id": pl.Int64, "genre_id": pl.Int64, "weight": pl.Float64}
        ),
    }


@dg.asset(
    group_name="library",
    pool=POOL,
    deps=["library_catalog", tmdb_metadata, "media_curation", "media_servers"],
    description="Seed 003's user_reviews, watch_history, calendar_events (planned watches and "
    "shows' next air dates), recommendation_criteria, custom_fields_schema and per-title custom "
    "fields from the review store, following titles whose id changed; the genre taxonomy; "
    "people's scores.",
)
@in_one_session
def media_watching(
    context: dg.AssetExecutionContext, settings: MediaVaultSettings, warehouse: Warehouse
) -> dg.MaterializeResult:
    store = WatchingStore(settings.load().app_store_path)
    moves = follow_changed_titles(store, library_titles(warehouse))
    for old, new in moves.items():
        context.log.info(f"reviews and watches of title {old} follow it to title {new}")
    frames = {
        **{f"store_{name}": frame for name, frame in store.frames().items()},
        "catalog_episodes": warehouse.named("watching/catalog_episodes"),
        **genre_frames(warehouse),
    }
    with warehouse.rewrite(WATCHING_TABLES) as con:
        for name, frame in frames.items():
            con.register(name, frame)
        con.execute(sql_files.query("watching/genres_refresh"))
        con.execute(sql_files.query("watching/mirror"))
    warehouse.publish_snapshot()
    summary = warehouse.named("watching/summary").row(0, named=True)
    return dg.MaterializeResult(metadata={**summary, "titles_followed": len(moves)})
