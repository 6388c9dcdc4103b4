"""Warehouse rows for the duplicate analysis: groups, members, plan, keep notes, catalog."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import polars as pl

from mediavault_assets.domain.catalog import Catalog
from mediavault_assets.domain.deletion_plan import DeletionPlan, staging_path
from mediavault_assets.domain.grouping import DuplicateGroup
from mediavault_assets.domain.provider_refs import ProviderRef, TmdbTitle


def groups_frame(
    groups: tuple[DuplicateGroup, ...] | list[DuplicateGroup], now: datetime
) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "id": g.id,
                "group_type": g.group_type,
                "confidence_score": g.confidence_score,
                "show_name": g.show_name,
                "season_number": g.season_number,
                "episode_number": g.episode_number,
                "year": g.year,
                "media_type": g.media_type,
                "file_count": g.file_count,
                "total_size": g.total_size,
                "potential_savings": g.potential_savings,
                "reviewed": False,
                "primary_file_id": g.primary_file_id,
                "created_at": now,
                "updated_at": now,
            }
            for g in groups
        ],
        schema_overrides={"season_number": pl.Int32, "episode_number": pl.Int32, "year": pl.Int32},
    )


def members_frame(
    groups: tuple[DuplicateGroup, ...] | list[DuplicateGroup], now: datetime
) -> pl.DataFrame:
    """One row per path: hardlinks of a member are listed with the member's rank."""
    rows = []
    for g in groups:
        for m in g.members:
            for file_id in (m.file_id, *m.linked_file_ids):
                rows.append(
                    {
                        "id": m.id if file_id == m.file_id else m.id ^ file_id,
                        "group_id": g.id,
                        "file_id": file_id,
                        "quality_rank": m.quality_rank,
                        "is_primary": m.is_primary,
                        "quality_score": m.quality_score,
                        "size_rank": m.size_rank,
                        "added_at": now,
                    }
                )
    return pl.DataFrame(rows, schema_overrides={"id": pl.Int64, "file_id": pl.Int64})


def plan_frame(plan: DeletionPlan, staging_root: Path, today: date, now: datetime) -> pl.DataFrame:
    rows = []
    for r in plan.rows:
        row = asdict(r)
        row["audio_languages"] = list(r.audio_languages)
        row["subtitle_languages"] = list(r.subtitle_languages)
        row["temp_filepath"] = staging_path(
            staging_root, r.media_type, today, r.staging_relative_path
        )
        row["final_action"] = "pending"
        row["reviewed"] = False
        row["planned_at"] = now
        del row["staging_relative_path"], row["media_type"]
        rows.append(row)
    return pl.DataFrame(
        rows,
        schema_overrides={
            "audio_languages": pl.List(pl.String),
            "subtitle_languages": pl.List(pl.String),
        },
    )


def keep_notes_frame(plan: DeletionPlan, now: datetime) -> pl.DataFrame:
    rows = []
    for note in plan.keep_notes:
        row = asdict(note)
        row["audio_languages"] = list(note.audio_languages)
        row["subtitle_languages"] = list(note.subtitle_languages)
        row["planned_at"] = now
        rows.append(row)
    return pl.DataFrame(
        rows,
        schema_overrides={
            "audio_languages": pl.List(pl.String),
            "subtitle_languages": pl.List(pl.String),
        },
    )


def catalog_frames(catalog: Catalog, now: datetime) -> dict[str, pl.DataFrame]:
    def frame(items: tuple, **overrides: pl.DataType) -> pl.DataFrame:  # type: ignore[type-arg]
        return pl.DataFrame([asdict(i) for i in items], schema_overrides=overrides)

    titles = pl.DataFrame(
        [{**asdict(t), "external_ids": json.dumps(t.external_ids)} for t in catalog.titles],
        schema_overrides={"year": pl.Int32},
    )
    assets = pl.DataFrame(
        [
            {
                **{k: v for k, v in asdict(a).items() if k not in ("md5", "sha256")},
                "hash_md5": a.md5,
                "hash_sha256": a.sha256,
                "discovered_at": now,
            }
            for a in catalog.assets
        ],
        schema_overrides={"duration_ms": pl.Int64, "hash_md5": pl.String, "hash_sha256": pl.String},
    )
    markers = pl.DataFrame(
        [{**asdict(m), "payload": json.dumps(m.payload)} for m in catalog.markers],
        schema=MARKER_SCHEMA,
    )
    return {
        "titles": titles,
        "seasons": frame(catalog.seasons),
        "episodes": frame(catalog.episodes, season_id=pl.Int64, number=pl.Int32, name=pl.String),
        "assets": assets,
        "episode_assets": frame(catalog.episode_assets),
        "markers": markers,
    }


def provider_refs_frame(refs: list[ProviderRef]) -> pl.DataFrame:
    return pl.DataFrame(
        [{**asdict(r), "raw": json.dumps(r.raw)} for r in refs], schema=PROVIDER_REF_SCHEMA
    )


def tmdb_titles_by_media_id(rows: pl.DataFrame) -> dict[int, TmdbTitle]:
    """From sql/queries/catalog/tmdb_refs.sql rows."""
    return {
        r["media_id"]: TmdbTitle(r["media_id"], r["tmdb_id"], r["tmdb_type"], r["external_ids"])
        for r in rows.iter_rows(named=True)
    }


PROVIDER_REF_SCHEMA = {
    "id": pl.Int64,
    "entity_type": pl.String,
    "entity_id": pl.Int64,
    "provider": pl.String,
    "provider_key": pl.String,
    "raw": pl.String,
    "title_id": pl.Int64,
    "episode_id": pl.Int64,
    "asset_id": pl.Int64,
    "media_id": pl.Int64,
}
MARKER_SCHEMA = {
    "id": pl.Int64,
    "asset_id": pl.Int64,
    "kind": pl.String,
    "start_ms": pl.Int64,
    "end_ms": pl.Int64,
    "label": pl.String,
    "payload": pl.String,
}
