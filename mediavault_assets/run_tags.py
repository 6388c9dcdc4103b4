"""Tags MediaVault puts on Dagster runs."""

TRIGGER_TAG = (
    "mediavault/trigger"  # manual, scheduled, api, demo: becomes scan_history.triggered_by
)
ORIGIN_TAG = "mediavault/origin"  # "cli" when `mediavault refresh` runs the analysis itself
PARTITION_TAG = "dagster/partition"  # Dagster's own: the partition (library root) of a run
