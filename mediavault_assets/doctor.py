"""`mediavault doctor`: find and repair what a crash can leave behind.

Dead runs holding the warehouse pool, interrupted staging operations, partial files no operation
owns, and a review-app snapshot older than the warehouse. With `dry_run` it only reports.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg

from mediavault_assets.run_recovery import pool_holders, settle_dead_runs
from mediavault_assets.settings import Settings
from mediavault_assets.staging.engine import leftovers, recover, remove_leftovers
from mediavault_assets.staging.journal import StagingJournal
from mediavault_assets.warehouse import Warehouse


def examine(
    settings: Settings,
    instance: dg.DagsterInstance,
    *,
    dry_run: bool,
    echo: Callable[[str], None] = print,
) -> int:
    """Report (and unless `dry_run` repair) crash left-overs; returns how many were found.

    Raises RuntimeError when a live run holds the warehouse: repairs would race it.
    """
    found = len(settle_dead_runs(instance, dry_run=dry_run, echo=echo))
    live = [h for h in pool_holders(instance) if not (h.worker and h.worker.gone())]
    if live:
        for holder in live:
            echo(f"Busy: {holder.describe()}")
        raise RuntimeError(
            "a run that is still alive holds the warehouse; run the doctor again when it ends "
            "(or stop it in the Dagster UI if it is stuck)"
        )
    if not settings.warehouse_path.exists():
        echo("No warehouse yet: nothing else to check.")
        return found
    warehouse = Warehouse(path=str(settings.warehouse_path), lock_wait_seconds=30)
    journal = StagingJournal(warehouse)
    verb = "Would settle" if dry_run else "Settled"
    if dry_run:
        for op in journal.unfinished():
            echo(
                f"{verb} interrupted {op.operation_type} #{op.id} of file {op.file_id} ({op.phase})"
            )
            found += 1
    else:
        for outcome in recover(journal):
            echo(f"{verb} interrupted operation #{outcome.operation_id}: {outcome.status}")
            found += 1
    partials = (
        leftovers(journal, settings.staging_root)
        if dry_run
        else remove_leftovers(journal, settings.staging_root)
    )
    for path in partials:
        echo(f"{'Would remove' if dry_run else 'Removed'} partial file {path!s}")
    found += len(partials)
    snapshot = warehouse.snapshot_path
    if not snapshot.exists() or snapshot.stat().st_mtime < settings.warehouse_path.stat().st_mtime:
        echo(f"{'Would publish' if dry_run else 'Published'} a fresh snapshot for the review app")
        if not dry_run:
            warehouse.publish_snapshot()
        found += 1
    return found
