"""Staging, restore and purge jobs: approved decisions become journaled, restorable moves."""

import os
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import dagster as dg
from pydantic import Field

from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.media_servers.servers import (
    MediaServer,
    media_servers,
    playing_now,
    refresh_folders,
)
from mediavault_assets.presentation import human_bytes, markdown_table
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.review_store import FileSignature, ReviewStore
from mediavault_assets.run_tags import TRIGGER_TAG
from mediavault_assets.settings import load_media_server_secrets
from mediavault_assets.staging.approvals import purge_approvals, select_for_staging
from mediavault_assets.staging.engine import Outcome, purge, recover, restore, stage
from mediavault_assets.staging.journal import StagingJournal
from mediavault_assets.staging.review_state import apply_review_state
from mediavault_assets.user_store import UserStore
from mediavault_assets.warehouse import POOL, Warehouse


class StageConfig(dg.Config):
    dry_run: bool = False


class RestoreConfig(dg.Config):
    file_ids: list[int] = Field(default_factory=list)
    restore_all: bool = False
    dry_run: bool = False
    restored_by: str = Field(
        default="", description="who asked for the restore (recorded as their keep decision)"
    )


class PurgeConfig(dg.Config):
    dry_run: bool = False
    file_ids: list[int] = Field(
        default_factory=list, description="only these staged files (default: every due one)"
    )
    purged_by: str = Field(
        default="", description="who asked for the purge (its triggered_by; else the approver)"
    )


def restored_signatures(warehouse: Warehouse, file_ids: list[int]) -> list[FileSignature]:
    """The restored files as they are on disk now (what a keep decision is made on)."""
    if not file_ids:
        return []
    rows = warehouse.named("restored_files", {"file_ids": file_ids})
    signatures = []
    for r in rows.iter_rows(named=True):
        try:
            st = os.stat(r["local_path"], follow_symlinks=False)
        except OSError:
            continue
        signatures.append(
            FileSignature(
                r["file_id"], r["group_id"], r["plan_id"], st.st_size, st.st_mtime_ns, st.st_ino
            )
        )
    return signatures


def _approvers(app_store: Path, store: ReviewStore) -> dict[int, int]:
    """file id → user id of who approved staging it (auto-approved files have none)."""
    ids = UserStore(app_store).user_ids()
    return {
        file_id: ids[d.reviewer]
        for file_id, d in store.decisions().items()
        if d.decision == "stage" and d.reviewer in ids
    }


def _refresh_media_servers(
    context: dg.OpExecutionContext, servers: list[MediaServer], local_paths: list[str]
) -> dict[str, object]:
    """Servers that show the files rescan their folders; a failure is reported, never fatal
    (the server catches up at its next scheduled scan)."""
    reports = refresh_folders(servers, local_paths)
    for r in reports:
        log = context.log.info if r.ok else context.log.warning
        log(f"media server {r.server}: refresh of {r.folder}: {r.message}")
    return {
        "media_server_refreshes": dg.MetadataValue.md(
            markdown_table([asdict(r) for r in reports]) or "none needed"
        ),
        "media_server_refresh_failures": sum(not r.ok for r in reports),
    }


def _report(
    context: dg.OpExecutionContext,
    outcomes: list[Outcome],
    what: str,
    extra: dict[str, object] | None = None,
) -> dict:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    moved = sum(o.bytes for o in outcomes if o.status in ("moved", "restored", "purged", "dry_run"))
    for o in outcomes:
        context.log.info(
            f"{o.action} {o.file_id}: {o.status} {o.destination or ''} {o.message or ''}"
        )
    metadata = {
        f"{what}_outcomes": dg.MetadataValue.json(counts),
        "bytes": dg.MetadataValue.int(moved),
        "bytes_text": human_bytes(moved),
        "details": dg.MetadataValue.md(
            markdown_table(
                [
                    {
                        "action": o.action,
                        "file_id": o.file_id,
                        "status": o.status,
                        "where": o.destination,
                        "message": o.message,
                    }
                    for o in outcomes[:100]
                ]
            )
            or "nothing to do"
        ),
        **(extra or {}),
    }
    context.add_output_metadata(metadata)
    return {"counts": counts, "bytes": moved}


@dg.op(pool=POOL, description="Move approved files (with sidecars) into staging, journaled.")
def stage_files(
    context: dg.OpExecutionContext,
    config: StageConfig,
    settings: MediaVaultSettings,
    warehouse: Warehouse,
) -> dict:
    conf = settings.load()
    store = ReviewStore(conf.app_store_path)
    journal = StagingJournal(warehouse)
    # A move an earlier run left half-done is settled first, so the files it rolled back are
    # seen where they are and staged in this run, not the next.
    recovered = [] if config.dry_run else recover(journal)
    selection = select_for_staging(
        warehouse.named("staging_candidates").iter_rows(named=True),
        store.decisions(),
        warehouse.named("group_presence").iter_rows(named=True),
        conf,
    )
    for file_id, why in selection.held_back:
        context.log.warning(f"not staging {file_id}: {why}")
    with media_servers(conf, load_media_server_secrets()) as servers:
        playing, unknown = playing_now(servers)
        for problem in unknown:
            context.log.warning(f"could not ask {problem}; staging goes on without it")
        # Moving a file someone is watching would cut their playback short.
        in_use = {
            r.file_id: f"being played on {playing[str(r.source)]} right now; "
            "it stays for a later run"
            for r in selection.requests
            if str(r.source) in playing
        }
        approvers = _approvers(conf.app_store_path, store)
        outcomes = recovered + stage(
            [replace(r, approved_by=approvers.get(r.file_id)) for r in selection.requests],
            conf.staging_root,
            journal,
            today=date.today(),
            dry_run=config.dry_run,
            in_use=in_use,
        )
        extra: dict[str, object] = {"media_server_errors": "; ".join(unknown) or "none"}
        if not config.dry_run:
            sources = {r.file_id: str(r.source) for r in selection.requests}
            moved = [sources[o.file_id] for o in outcomes if o.status == "moved"]
            extra |= _refresh_media_servers(context, servers, moved)
    if not config.dry_run:
        apply_review_state(warehouse, conf)
        warehouse.publish_snapshot()
    return _report(context, outcomes, "stage", extra)


@dg.op(pool=POOL, description="Put staged files and their sidecars back, never overwriting.")
def restore_files(
    context: dg.OpExecutionContext,
    config: RestoreConfig,
    settings: MediaVaultSettings,
    warehouse: Warehouse,
) -> dict:
    if not config.restore_all and not config.file_ids:
        raise dg.Failure("Name the files to restore (file_ids) or set restore_all.")
    conf = settings.load()
    outcomes = restore(
        None if config.restore_all else config.file_ids,
        StagingJournal(warehouse),
        dry_run=config.dry_run,
        by=UserStore(conf.app_store_path).user_ids().get(config.restored_by),
    )
    extra: dict[str, object] = {}
    if not config.dry_run:
        # A restored file is the owner's again: a keep decision by whoever restored it, so
        # neither auto-approval nor the next staging run takes it away again unasked.
        restored = [o.file_id for o in outcomes if o.status == "restored"]
        who = config.restored_by or context.run.tags.get(TRIGGER_TAG) or "restore"
        ReviewStore(conf.app_store_path).keep_restored(
            restored_signatures(warehouse, restored), reviewer=who
        )
        apply_review_state(warehouse, conf)
        warehouse.publish_snapshot()
        back = [o.destination for o in outcomes if o.status == "restored" and o.destination]
        with media_servers(conf, load_media_server_secrets()) as servers:
            extra = _refresh_media_servers(context, servers, back)
    return _report(context, outcomes, "restore", extra)


@dg.op(pool=POOL, description="Delete staged files for good: approved and past retention only.")
def purge_files(
    context: dg.OpExecutionContext,
    config: PurgeConfig,
    settings: MediaVaultSettings,
    warehouse: Warehouse,
) -> dict:
    conf = settings.load()
    store = ReviewStore(conf.app_store_path)
    decisions = store.decisions()
    auto = warehouse.named("auto_approved_plan_files")["file_id"].to_list()
    approved = purge_approvals(decisions, auto, conf)
    journal = StagingJournal(warehouse)
    originals = {op.file_id: op.video.source for op in journal.staged()}
    outcomes = purge(
        journal,
        now=utc_now(),
        retention_days=conf.retention_days,
        approved_file_ids=approved,
        reviewed_file_ids=list(decisions),
        auto_delete_unreviewed=conf.auto_delete_unreviewed,
        dry_run=config.dry_run,
        approvers=_approvers(conf.app_store_path, store),
        file_ids=config.file_ids or None,
        by=UserStore(conf.app_store_path).user_ids().get(config.purged_by),
    )
    extra: dict[str, object] = {}
    if not config.dry_run:
        apply_review_state(warehouse, conf)
        warehouse.publish_snapshot()
        # A server that still lists the file at its old place forgets it.
        gone = [
            originals[o.file_id]
            for o in outcomes
            if o.status == "purged" and o.file_id in originals
        ]
        with media_servers(conf, load_media_server_secrets()) as servers:
            extra = _refresh_media_servers(context, servers, gone)
    return _report(context, outcomes, "purge", extra)


@dg.job(description="Stage approved files now (what the staging sensor requests).")
def stage_approved() -> None:
    stage_files()


@dg.job(description="Restore staged files to where they were.")
def restore_staged() -> None:
    restore_files()


@dg.job(description="Purge staged files past retention; approved ones only (dry-run available).")
def purge_staged() -> None:
    purge_files()
