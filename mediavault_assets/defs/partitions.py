"""One dynamic partition per library root, kept in sync with the settings file."""

import dagster as dg

from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.run_tags import ROOTS_PARTITIONS

library_roots = dg.DynamicPartitionsDefinition(name=ROOTS_PARTITIONS)


def partition_changes(configured: list[str], existing: list[str]) -> tuple[list[str], list[str]]:
    """(to add, to delete) so the partitions equal the configured root keys."""
    return (
        [key for key in configured if key not in existing],
        [key for key in existing if key not in configured],
    )


def sync_library_roots(
    instance: dg.DagsterInstance, configured: list[str]
) -> tuple[list[str], list[str]]:
    existing = list(instance.get_dynamic_partitions(library_roots.name))
    added, removed = partition_changes(configured, existing)
    if added:
        instance.add_dynamic_partitions(library_roots.name, added)
    for key in removed:
        instance.delete_dynamic_partition(library_roots.name, key)
    return added, removed


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def library_roots_sync(
    context: dg.SensorEvaluationContext, settings: MediaVaultSettings
) -> dg.SensorResult:
    """Adds a partition for each new library root in the settings, removes dropped ones."""
    existing = list(context.instance.get_dynamic_partitions(library_roots.name))
    added, removed = partition_changes(settings.load().root_keys, existing)
    requests: list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest] = []
    if added:
        requests.append(library_roots.build_add_request(added))
    if removed:
        requests.append(library_roots.build_delete_request(removed))
    return dg.SensorResult(dynamic_partitions_requests=requests)
