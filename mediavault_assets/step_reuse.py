"""A library step reuses its last result when nothing it reads has changed.

On a no-change refresh most of the time went into re-deriving identical tables (loading the
library, grouping, planning, writing, publishing). A step now fingerprints what it reads: the
contents of its input tables and views (DuckDB hashes every row: ~0.2 s for all tables of a
20,000-file warehouse), the settings, the app's own stores (by file stamp: the decisions, watch
plans and keywords live there), the code and SQL of this package, and the UTC day (watch notes
age). It also fingerprints the tables it wrote last time. When both match its last
materialization's, those tables are still exactly what this step would write, so it skips the
work and says so in its metadata. Any doubt (no earlier materialization, a warehouse replaced
from a backup, a decision taken in the app, a code upgrade) means it runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg

from mediavault_assets import sqlite_wal
from mediavault_assets.curation_store import CurationStore
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.settings import Settings
from mediavault_assets.warehouse import BOOKKEEPING_COLUMNS, Warehouse
from mediavault_assets.watching_store import WatchingStore

PACKAGE = Path(__file__).resolve().parent
INPUTS_KEY = "reuse_inputs"
OUTPUTS_KEY = "reuse_outputs"
OUTPUT_TABLES_KEY = "reuse_output_tables"


@cache
def code_digest() -> str:
    """This package's Python and SQL: a new version's rules must run, whatever the data."""
    digest = hashlib.sha256()
    for root, pattern in ((PACKAGE, "*.py"), (PACKAGE.parent / "sql", "*.sql")):
        for path in sorted(root.rglob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def table_digest(warehouse: Warehouse, tables: Iterable[str]) -> str:
    """Row count and the sum of DuckDB's row hashes per table or view, in one query."""
    names = sorted(set(tables))
    if not names:
        return ""
    columns = warehouse.frame(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND list_contains(?, table_name)",
        [names],
    )
    skipped: dict[str, list[str]] = {}
    for table, column in columns.iter_rows():
        if column in BOOKKEEPING_COLUMNS:
            skipped.setdefault(table, []).append(f'"{column}"')
    sql = " UNION ALL ".join(
        f"SELECT '{name}' AS t, count(*) AS n, coalesce(sum(hash(x)::HUGEINT), 0)::VARCHAR AS h "
        f'FROM (SELECT * {_exclude(skipped.get(name))} FROM "{name}") x'
        for name in names
    )
    rows = warehouse.frame(sql).sort("t").rows()
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def _exclude(columns: list[str] | None) -> str:
    return f"EXCLUDE ({', '.join(columns)})" if columns else ""


def store_stamp(path: Path) -> list[list[int] | None]:
    """SQLite's file and its WAL: any write by the app changes one of them.

    The stores the library steps read are opened first: the first refresh creates them
    mid-run, and a stamp taken before that would make the second refresh differ.
    """
    for store in (ReviewStore, WatchingStore, CurationStore):
        store(path)
    return sqlite_wal.stamp(path)


@dataclass(frozen=True)
class StepReuse:
    """Whether a step may keep its last result, and the fingerprints to record if it runs."""

    inputs: str
    previous: Mapping[str, dg.MetadataValue] = field(default_factory=dict)
    reused: bool = False

    def carried_metadata(self) -> dict[str, Any]:
        """The last materialization's figures, marked as reused."""
        return {
            **self.previous,
            "reused": dg.MetadataValue.bool(True),
            "reused_because": "nothing the step reads changed since its last run",
        }

    def record(self, warehouse: Warehouse, outputs: Iterable[str]) -> dict[str, Any]:
        """Metadata for a step that ran: what it read and what it wrote, fingerprinted."""
        written = sorted(set(outputs))
        return {
            "reused": dg.MetadataValue.bool(False),
            INPUTS_KEY: self.inputs,
            OUTPUTS_KEY: table_digest(warehouse, written),
            OUTPUT_TABLES_KEY: json.dumps(written),
        }


def last_metadata(instance: dg.DagsterInstance, asset_key: str) -> dict[str, dg.MetadataValue]:
    """The metadata of the asset's latest materialization ({} if it has none)."""
    result = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset_key)), limit=1
    )
    if not result.records:
        return {}
    materialization = result.records[0].asset_materialization
    if materialization is None:
        return {}
    return dict(materialization.metadata)


def inputs_fingerprint(
    warehouse: Warehouse, config: Settings, *, inputs: Iterable[str], passed_in: str = ""
) -> str:
    """What a step reads, in one digest (see the module docstring)."""
    return hashlib.sha256(
        json.dumps(
            {
                "tables": table_digest(warehouse, inputs),
                "settings": config.model_dump(mode="json"),
                "app_store": store_stamp(config.app_store_path),
                "code": code_digest(),
                "day": datetime.now(UTC).date().isoformat(),
                "passed_in": hashlib.sha256(passed_in.encode()).hexdigest(),
            },
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()


def step_reuse(
    context: dg.AssetExecutionContext | dg.OpExecutionContext,
    warehouse: Warehouse,
    config: Settings,
    *,
    asset_key: str,
    inputs: Iterable[str],
    passed_in: str = "",
) -> StepReuse:
    """Fingerprint the step's inputs and compare with its last materialization (`asset_key`).

    `passed_in` stands for what an op receives from the op before it rather than from tables.
    """
    fingerprint = inputs_fingerprint(warehouse, config, inputs=inputs, passed_in=passed_in)
    previous = last_metadata(context.instance, asset_key)
    recorded = {k: v.value for k, v in previous.items() if k.startswith("reuse_")}
    if OUTPUTS_KEY not in recorded:
        why = "no earlier result to compare with"
    elif recorded.get(INPUTS_KEY) != fingerprint:
        why = "what it reads changed since its last run"
    elif (
        table_digest(warehouse, json.loads(str(recorded.get(OUTPUT_TABLES_KEY) or "[]")))
        != recorded[OUTPUTS_KEY]
    ):
        why = "the tables it wrote changed since"
    else:
        context.log.info(f"{asset_key}: nothing it reads changed since its last run; reused")
        return StepReuse(fingerprint, previous, reused=True)
    context.log.info(f"{asset_key}: runs ({why})")
    return StepReuse(fingerprint, previous)
