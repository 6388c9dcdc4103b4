"""Seed 004's sources, source_collections and path_mappings, from the configured roots."""

import dataclasses
import json
import socket
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.defs.checks import violations_result
from mediavault_assets.defs.ingest.assets import inventory
from mediavault_assets.domain.sources import RootLocation, Sources, filesystem_sources
from mediavault_assets.media.mounts import mount_of, read_mounts, server_of
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.settings import LibraryRoot
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session


def root_locations(roots: list[LibraryRoot]) -> list[RootLocation]:
    mounts = read_mounts()
    located = []
    for root in roots:
        mount = mount_of(Path(root.path), mounts)
        located.append(
            RootLocation(
                key=root.key,
                path=str(root.path),
                media_type=root.media_type,
                nas_path=root.nas_path,
                server=server_of(mount),
                fstype=mount.fstype if mount else None,
            )
        )
    return located


def _frame(items: tuple, schema: dict[str, pl.DataType]) -> pl.DataFrame:  # type: ignore[type-arg]
    rows = [dataclasses.asdict(i) for i in items]
    for row in rows:
        if "config" in row:
            row["config"] = json.dumps(row["config"], sort_keys=True)
    return pl.DataFrame(rows, schema=schema)


def source_frames(sources: Sources) -> dict[str, pl.DataFrame]:
    return {
        "incoming_sources": _frame(
            sources.sources,
            {
                "id": pl.Int64,
                "external_id": pl.String,
                "name": pl.String,
                "kind": pl.String,
                "config": pl.String,
            },
        ),
        "incoming_collections": _frame(
            sources.collections,
            {
                "id": pl.Int64,
                "source_id": pl.Int64,
                "external_id": pl.String,
                "name": pl.String,
                "enabled": pl.Boolean,
                "config": pl.String,
                "root_key": pl.String,
            },
        ),
        "incoming_mappings": _frame(
            sources.path_mappings,
            {
                "id": pl.Int64,
                "collection_id": pl.Int64,
                "plex_path": pl.String,
                "local_path": pl.String,
                "mapping_kind": pl.String,
            },
        ),
    }


def refresh_sources(con: duckdb.DuckDBPyConnection, sources: Sources, kinds: list[str]) -> None:
    """In an open transaction: make the sources of `kinds` (and their collections and
    mappings) what `sources` says; other kinds' rows stay."""
    for name, frame in source_frames(sources).items():
        con.register(name, frame)
    con.register("refreshed_kinds", pl.DataFrame({"kind": kinds}, schema={"kind": pl.String}))
    con.execute(sql_files.query("catalog/sources_refresh"))


@dg.asset(
    group_name="library",
    pool=POOL,
    deps=[inventory],
    description="Seed 004's sources (one filesystem source per machine serving the roots: a "
    "NAS's mounts are collections of one source), source_collections (one per library root) "
    "and path_mappings (the NAS's own path of a root next to where this machine mounts it).",
)
@in_one_session
def library_sources(settings: MediaVaultSettings, warehouse: Warehouse) -> dg.MaterializeResult:
    sources = filesystem_sources(
        root_locations(settings.load().library_roots), socket.gethostname()
    )
    with warehouse.transaction() as con:
        refresh_sources(con, sources, ["filesystem"])
    summary = warehouse.named("catalog/sources_summary").row(0, named=True)
    return dg.MaterializeResult(
        metadata={
            **summary,
            "source_names": ", ".join(s.external_id for s in sources.sources),
        }
    )


@dg.asset_check(
    asset=library_sources,
    pool=POOL,
    description="Every inventoried root is a collection of a source.",
)
@in_one_session
def every_root_has_a_collection(warehouse: Warehouse) -> dg.AssetCheckResult:
    return violations_result(warehouse, "check_roots_have_collections")
