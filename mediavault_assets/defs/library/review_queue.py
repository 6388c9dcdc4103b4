"""Seed 004's review_queue: every item that needs a person, with people's answers mirrored."""

from collections import defaultdict
from collections.abc import Mapping

import dagster as dg
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.defs.checks import violations_result
from mediavault_assets.defs.ingest.assets import parsed_names, probes
from mediavault_assets.defs.metadata.assets import tmdb_metadata
from mediavault_assets.domain.review_queue import (
    QueueCandidate,
    QueueItem,
    build_queue,
    identity_signature,
)
from mediavault_assets.domain.tmdb_matching import identity_key
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session

QUEUE_SCHEMA = {
    "id": pl.Int64,
    "item_key": pl.String,
    "kind": pl.String,
    "subject": pl.String,
    "asset_id": pl.Int64,
    "reason": pl.String,
    "confidence": pl.Float64,
    "status": pl.String,
    "file_signature": pl.String,
    "file_count": pl.Int32,
    "resolved_by": pl.String,
    "resolved_at": pl.String,
}


def tmdb_candidates(identities: pl.DataFrame, files: pl.DataFrame) -> list[QueueCandidate]:
    """One item per TMDb identity a person should match, about all the files it covers."""
    by_identity: dict[str, list[Mapping]] = defaultdict(list)
    for f in files.iter_rows(named=True):
        if f["title_key"]:
            by_identity[identity_key(f)].append(f)
    found = []
    for i in identities.iter_rows(named=True):
        covered = by_identity.get(i["identity_key"])
        if not covered:
            continue  # its files left the library since the match was made
        title = f"{i['title']} ({i['year']})" if i["year"] else i["title"]
        what = "no TMDb title fits" if i["status"] == "unmatched" else "several TMDb titles fit"
        found.append(
            QueueCandidate(
                kind=f"tmdb_{i['status']}",
                subject=i["identity_key"],
                asset_id=min(f["file_id"] for f in covered),
                reason=f"{title}: {what}" + (f" ({i['reason']})" if i["reason"] else ""),
                confidence=i["confidence"],
                signature=identity_signature(f["signature"] for f in covered),
                file_count=len(covered),
            )
        )
    return found


def queue_frame(items: list[QueueItem]) -> pl.DataFrame:
    return pl.DataFrame(
        [{k: getattr(i, k) for k in QUEUE_SCHEMA} for i in items], schema=QUEUE_SCHEMA
    )


def current_queue(warehouse: Warehouse, store: ReviewStore) -> list[QueueItem]:
    candidates = [
        QueueCandidate(**r)
        for r in warehouse.named("catalog/queue_file_candidates").iter_rows(named=True)
    ] + tmdb_candidates(
        warehouse.named("catalog/queue_tmdb_identities"),
        warehouse.named("catalog/queue_identity_files"),
    )
    return build_queue(candidates, store.queue_resolutions(), store.plan_resolutions())


def refresh_review_queue(warehouse: Warehouse, store: ReviewStore) -> list[QueueItem]:
    """Rebuild review_queue from the warehouse's items and the store's answers."""
    items = current_queue(warehouse, store)
    with warehouse.rewrite(["review_queue"]) as con:
        con.register("incoming_queue", queue_frame(items))
        con.execute(sql_files.query("catalog/review_queue_refresh"))
    return items


@dg.asset(
    group_name="library",
    pool=POOL,
    deps=["deletion_plan", "library_catalog", tmdb_metadata, probes, parsed_names],
    description="Seed 004's review_queue: plan rows that require review, unmatched and "
    "ambiguous TMDb titles, probe and integrity errors, samples and truncated files in no "
    "group, files whose path leaves their identity in doubt; each with its reason, a "
    "confidence 0-1 and a status. Answers come from the review store and hold until a file "
    "changes.",
)
@in_one_session
def review_queue(settings: MediaVaultSettings, warehouse: Warehouse) -> dg.MaterializeResult:
    items = refresh_review_queue(warehouse, ReviewStore(settings.load().app_store_path))
    warehouse.publish_snapshot()
    by_kind: dict[str, int] = defaultdict(int)
    for i in items:
        if i.status == "pending":
            by_kind[i.kind] += 1
    return dg.MaterializeResult(
        metadata={
            "items": len(items),
            "pending": sum(by_kind.values()),
            "resolved": sum(1 for i in items if i.status == "resolved"),
            "rejected": sum(1 for i in items if i.status == "rejected"),
            "pending_by_kind": dg.MetadataValue.json(dict(sorted(by_kind.items()))),
        }
    )


@dg.asset_check(
    asset=review_queue,
    pool=POOL,
    description="Every queue item is about a file in the catalog, and every resolved or "
    "rejected item says who answered it and when.",
)
@in_one_session
def queue_items_are_sound(warehouse: Warehouse) -> dg.AssetCheckResult:
    return violations_result(warehouse, "check_review_queue")
