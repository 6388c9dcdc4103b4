"""Seed 001's curation in the warehouse: technical metadata, keywords and ratings per file.

Ratings and a person's keywords are owned by the review store (domain.curation explains how a
renamed file keeps them); this asset follows renames, then mirrors them next to the automatic
keywords the scan derives, so SQL, the chat and the deletion plan see one picture.
"""

import dagster as dg
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.curation_store import CurationStore
from mediavault_assets.defs.ingest.assets import inventory, parsed_names, probes
from mediavault_assets.defs.metadata.assets import tmdb_metadata
from mediavault_assets.domain.curation import CuratedFile, followed_moves
from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.presentation import markdown_table
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.warehouse import POOL, Warehouse


def follow_renamed_files(store: CurationStore, present: pl.DataFrame) -> dict[int, int]:
    """Re-key the curation of files renamed since they were curated (old id → new id)."""
    here = present.filter(~pl.col("away"))
    signatures = {
        r["file_id"]: CuratedFile(
            r["file_id"],
            r["root_key"],
            r["relative_path"],
            r["inode"],
            r["file_size"],
            r["mtime_ns"],
        )
        for r in here.iter_rows(named=True)
    }
    curated = [file for file, _ in store.curated_files().values()]
    moves = followed_moves(
        curated,
        signatures.values(),
        away=present.filter(pl.col("away"))["file_id"].to_list(),
    )
    store.follow({old: signatures[new] for old, new in moves.items()})
    return moves


def store_frames(store: CurationStore) -> dict[str, pl.DataFrame]:
    """The review store's curation as frames the refresh SQL joins (store_*)."""
    curated = store.curated_files()
    ratings = store.ratings().values()
    keywords = store.keywords()
    return {
        "store_curated": pl.DataFrame(
            {
                "file_id": list(curated),
                "last_accessed": [seen for _, seen in curated.values()],
            },
            schema={"file_id": pl.Int64, "last_accessed": pl.String},
        ),
        "store_ratings": pl.DataFrame(
            {
                "file_id": [r.file_id for r in ratings],
                "score": [r.score for r in ratings],
                "rated_by": [r.rated_by for r in ratings],
                "rated_at": [r.rated_at for r in ratings],
            },
            schema={
                "file_id": pl.Int64,
                "score": pl.Int32,
                "rated_by": pl.String,
                "rated_at": pl.String,
            },
        ),
        "store_keywords": pl.DataFrame(
            {
                "file_id": [k.file_id for k in keywords],
                "keyword": [k.keyword for k in keywords],
                "keyword_type": [k.keyword_type for k in keywords],
                "confidence": [k.confidence for k in keywords],
                "source": [k.source for k in keywords],
                "added_by": [k.added_by for k in keywords],
                "created_at": [k.created_at for k in keywords],
            },
            schema={
                "file_id": pl.Int64,
                "keyword": pl.String,
                "keyword_type": pl.String,
                "confidence": pl.Float64,
                "source": pl.String,
                "added_by": pl.String,
                "created_at": pl.String,
            },
        ),
    }


@dg.multi_asset(
    group_name="library",
    pool=POOL,
    specs=[
        dg.AssetSpec(
            "media_metadata",
            deps=[inventory, probes],
            description="Seed 001's media_metadata: dimensions, duration, frame rate and color "
            "mode of every probed file.",
        ),
        dg.AssetSpec(
            "media_curation",
            deps=[inventory, probes, parsed_names, tmdb_metadata],
            description="Seed 001's media_keywords (automatic ones from the probe, the name and "
            "TMDb; a person's from the review store) and ratings (file_curation, "
            "media_files.score), following renamed files.",
        ),
    ],
)
def media_curation(
    context: dg.AssetExecutionContext, settings: MediaVaultSettings, warehouse: Warehouse
):  # type: ignore[no-untyped-def]
    store = CurationStore(settings.load().app_store_path)
    moves = follow_renamed_files(store, warehouse.named("curation_present"))
    for old, new in moves.items():
        context.log.info(f"ratings and keywords of file {old} follow it to file {new} (renamed)")
    frames = store_frames(store)
    with warehouse.transaction() as con:
        for name, frame in frames.items():
            con.register(name, frame)
        con.execute(sql_files.query("media_metadata_refresh"))
        con.execute(sql_files.query("media_keywords_refresh"), {"now": utc_now()})
        con.execute(sql_files.query("file_curation_refresh"))
    summary = warehouse.named("curation_summary").row(0, named=True)
    yield dg.MaterializeResult(
        asset_key="media_metadata", metadata={"rows": summary["metadata_rows"]}
    )
    yield dg.MaterializeResult(
        asset_key="media_curation",
        metadata={
            "keywords": summary["keywords"],
            "auto_keywords": summary["auto_keywords"],
            "user_keywords": summary["user_keywords"],
            "rated_files": summary["rated_files"],
            "rejected_files": summary["rejected_files"],
            "renamed_files_followed": len(moves),
            "top_keywords": dg.MetadataValue.md(
                markdown_table(warehouse.named("curation_top_keywords").to_dicts()) or "none"
            ),
        },
    )
