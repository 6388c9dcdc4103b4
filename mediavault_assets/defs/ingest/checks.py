"""Invariants of the ingest assets."""

import dagster as dg

from mediavault_assets.defs.checks import violations_result
from mediavault_assets.defs.ingest.assets import parsed_names, probes
from mediavault_assets.defs.library.assets import file_hashes
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session


@dg.asset_check(
    asset=probes, pool=POOL, description="Every inventory row has a probe or a probe error."
)
@in_one_session
def every_file_probed(warehouse: Warehouse) -> dg.AssetCheckResult:
    return violations_result(warehouse, "check_probes_cover_inventory")


@dg.asset_check(
    asset=file_hashes, pool=POOL, description="No file with a unique size was read in full."
)
@in_one_session
def unique_sizes_never_fully_hashed(warehouse: Warehouse) -> dg.AssetCheckResult:
    return violations_result(warehouse, "check_unique_sizes_not_hashed")


@dg.asset_check(
    asset=parsed_names, pool=POOL, description="Every video has a non-empty parsed title."
)
@in_one_session
def every_file_has_a_title(warehouse: Warehouse) -> dg.AssetCheckResult:
    return violations_result(warehouse, "check_parsed_titles")
