"""Tags MediaVault puts on Dagster runs, and the names the app shares with the definitions."""

TRIGGER_TAG = (
    "mediavault/trigger"  # manual, scheduled, api, demo: becomes scan_history.triggered_by
)
ORIGIN_TAG = "mediavault/origin"  # "cli" when `mediavault refresh` runs the analysis itself
PARTITION_TAG = "dagster/partition"  # Dagster's own: the partition (library root) of a run
# The dynamic partitions (one per library root) that defs/partitions.py defines and the app's
# Settings page adds to when a root is added.
ROOTS_PARTITIONS = "library_roots"
SCAN_JOB = "scan_library_root"  # the job partitioned by them
# How a scan run re-reads and what it walks (mediavault_assets/domain/scan_modes.py): the mode
# (incremental, full) and the root-relative folders of a path scan (a JSON list, or one folder).
SCAN_MODE_TAG = "mediavault/scan_mode"
SCAN_PATHS_TAG = "mediavault/scan_paths"
