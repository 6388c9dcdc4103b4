"""Seed 001's curation in the warehouse: technical metadata, keywords and ratings per file.

Ratings and a person's keywords are owned by the review store (domain.curation explains how a
renamed file keeps them); this asset follows renames, then mirrors them next to the automatic
keywords the scan derives, so SQL, the chat and the deletion plan see one picture.
"""

import dagster as dg
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.curation_store import CurationStore, curated_file_from_row
from mediavault_assets.defs.ingest.assets import inventory, parsed_names, probes
from mediavault_assets.defs.metadata.assets import tmdb_metadata
from mediavault_assets.domain.curation import followed_moves
from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.presentation import markdown_table
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session, replace_with_query


def follow_renamed_files(store: CurationStore, present: pl.DataFrame) -> dict[int, int]:
    """Re-key the curation of files renamed since they were curated (old id → new id)."""
    here = present.filter(~pl.col("away"))
    signatures = {r["file_id"]: curated_file_from_row(r) for r in here.iter_rows(named=True)}
    curated = [file for file, _ in store.curated_files().values()]
    moves = followed_moves(
        curated,
        signatures.values(),
        away=present.filter(pl.col("away"))["file_id"].to_list(),
    )
    store.follow({old: signatures[new] for old, new in moves.items()})
    return moves


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
@in_one_session
def media_curation(
    context: dg.AssetExecutionContext, settings: MediaVaultSettings, warehouse: Warehouse
):  # type: ignore[no-untyped-def]
    store = CurationStore(settings.load().app_store_path)
    moves = follow_renamed_files(store, warehouse.named("curation_present"))
    for old, new in moves.items():
        context.log.info(f"ratings and keywords of file {old} follow it to file {new} (renamed)")
    frames = {f"store_{name}": frame for name, frame in store.frames().items()}
    with warehouse.transaction() as con:
        for name, frame in frames.items():
            con.register(name, frame)
        replace_with_query(con, "media_metadata", sql_files.query("media_metadata_rows"))
        replace_with_query(
            con,
            "media_keywords",
            sql_files.query("media_keywords_rows"),
            {"now": utc_now()},
            kept=["created_at"],
        )
        replace_with_query(con, "file_curation", sql_files.query("file_curation_rows"))
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
