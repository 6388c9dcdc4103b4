"""Jobs: scan one library root (per-root ingest assets) and analyze the whole library."""

import dagster as dg

from mediavault_assets.defs.ingest.assets import scan_failed

scan_library_root = dg.define_asset_job(
    name="scan_library_root",
    selection=dg.AssetSelection.groups("ingest"),
    description="Walk, probe and parse one library root (one partition per root).",
    hooks={scan_failed},
)

analyze_library = dg.define_asset_job(
    name="analyze_library",
    selection=dg.AssetSelection.groups("library"),
    description="Hash size collisions across all roots, group duplicates and plan deletions.",
)
