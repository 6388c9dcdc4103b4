"""Asset checks: each runs a query in sql/queries/check_*.sql that lists violations."""

import dagster as dg

from mediavault_assets.presentation import markdown_table
from mediavault_assets.warehouse import Warehouse


def violations_result(warehouse: Warehouse, query: str) -> dg.AssetCheckResult:
    rows = warehouse.named(query)
    return dg.AssetCheckResult(
        passed=rows.height == 0,
        metadata={
            "violations": rows.height,
            "examples": dg.MetadataValue.md(markdown_table(rows.head(20).to_dicts()) or "none"),
        },
    )
