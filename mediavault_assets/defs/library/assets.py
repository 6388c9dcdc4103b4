"""Whole-library assets: exact-duplicate hashes across roots, duplicate groups, the plan."""

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import dagster as dg
import polars as pl

from mediavault_assets.defs.ingest.assets import inventory, parsed_names, probes
from mediavault_assets.defs.metadata.assets import tmdb_metadata
from mediavault_assets.domain.catalog import build_catalog
from mediavault_assets.domain.deletion_plan import DeletionPlan, PlanPolicy, plan_deletions
from mediavault_assets.domain.grouping import (
    DuplicateGroup,
    group_duplicates,
    with_manual_groups,
)
from mediavault_assets.domain.model import LibraryFile
from mediavault_assets.domain.plan_checks import (
    check_english_audio_kept,
    check_manual_groups_reviewed,
    check_multi_episode_coverage,
    check_no_auto_approved_foreign_film,
    check_no_auto_approved_rated_file,
    check_no_auto_approved_watched_file,
    check_no_group_loses_last_copy,
    check_no_hardlink_savings,
    check_runtimes_support_the_plan,
)
from mediavault_assets.domain.provider_refs import provider_refs
from mediavault_assets.domain.quality import calculate_quality_score
from mediavault_assets.domain.watching import FileTitle, name_key, watch_signals
from mediavault_assets.ingest.analysis_tables import (
    catalog_frames,
    groups_frame,
    keep_notes_frame,
    members_frame,
    plan_frame,
    provider_refs_frame,
    tmdb_titles_by_media_id,
)
from mediavault_assets.ingest.hashes import candidates_and_cache, hash_frame
from mediavault_assets.ingest.inventory import utc_now
from mediavault_assets.ingest.library_files import library_files
from mediavault_assets.media.hashing import HashCandidate, HashRecord, find_exact_duplicates
from mediavault_assets.media_servers.servers import KINDS as SERVER_KINDS
from mediavault_assets.presentation import human_bytes, markdown_table
from mediavault_assets.progress import Progress
from mediavault_assets.resources import MediaVaultSettings
from mediavault_assets.review_store import ReviewStore
from mediavault_assets.staging.review_state import apply_review_state
from mediavault_assets.step_reuse import StepReuse, inputs_fingerprint, last_metadata, step_reuse
from mediavault_assets.warehouse import POOL, Warehouse, in_one_session
from mediavault_assets.watching_store import WatchingStore


@dg.op(
    pool=POOL,
    ins={"start": dg.In(dg.Nothing)},
    description="Every inventoried file across all roots, with last run's hashes as a cache.",
)
@in_one_session
def plan_hashes(
    context: dg.OpExecutionContext, settings: MediaVaultSettings, warehouse: Warehouse
) -> dict:
    rows = warehouse.named("hash_candidates")
    # The hash step is a function of these rows (every file's signature and last run's record
    # of it), and running it on its own result changes nothing: when they are what its last
    # store left and file_hashes is untouched since, the result is file_hashes as it stands.
    # A failed read (size -1) is always tried again.
    reuse = step_reuse(
        context,
        warehouse,
        settings.load(),
        asset_key="file_hashes",
        inputs=(),
        passed_in=_candidates_digest(rows),
    )
    if reuse.reused and not (rows["cached_size"] == -1).any():
        return {"reuse": reuse}
    candidates, cache = candidates_and_cache(rows)
    return {
        "reuse": replace(reuse, reused=False),
        "candidates": candidates,
        "cache": cache,
        "roots": dict(zip(rows["file_id"].to_list(), rows["root_key"].to_list(), strict=True)),
    }


def _candidates_digest(rows: pl.DataFrame) -> str:
    return f"{rows.height} {rows.hash_rows(seed=0).sum()}"


@dg.op(description="Hash size collisions: head/tail blocks, then full MD5 only where needed.")
def hash_files(context: dg.OpExecutionContext, plan: dict) -> dict:
    if plan["reuse"].reused:
        context.log.info("Nothing to read: every file is as the last run hashed it")
        return {"reuse": plan["reuse"]}
    candidates: list[HashCandidate] = plan["candidates"]
    cache: dict[int, HashRecord] = plan["cache"]
    progress = Progress(context, "hash", 0, unit="bytes")
    result = find_exact_duplicates(candidates, cache, progress=progress)
    context.log.info(
        f"Read {human_bytes(result.bytes_read)} from {result.files_read} files; "
        f"{result.files_fully_hashed} fully hashed, {result.reused} reused from the last run"
    )
    return {"reuse": plan["reuse"], "result": result, "roots": plan["roots"]}


@dg.op(pool=POOL, out=dg.Out(dg.Nothing), description="Replace file_hashes.")
@in_one_session
def store_hashes(
    context: dg.OpExecutionContext,
    settings: MediaVaultSettings,
    warehouse: Warehouse,
    hashed: dict,
) -> None:
    reuse: StepReuse = hashed["reuse"]
    if reuse.reused:
        carried = reuse.carried_metadata()
        context.add_output_metadata(
            {
                **carried,
                # What this run did: it read nothing, every file's record stood.
                "bytes_read": dg.MetadataValue.int(0),
                "files_read": 0,
                "files_fully_hashed": 0,
                "reused_from_cache": carried["files"],
            }
        )
        return
    result = hashed["result"]
    frame = hash_frame(result, hashed["roots"])
    # Published with the groups and the plan they lead to (duplicate_analysis), never alone.
    warehouse.replace_rows("file_hashes", frame, where="true")
    # Recorded as the next run will read them when nothing changes (see plan_hashes).
    after = inputs_fingerprint(
        warehouse,
        settings.load(),
        inputs=(),
        passed_in=_candidates_digest(warehouse.named("hash_candidates")),
    )
    context.add_output_metadata(
        {
            "files": frame.height,
            "bytes_read": dg.MetadataValue.int(result.bytes_read),
            "files_read": result.files_read,
            "files_fully_hashed": result.files_fully_hashed,
            "reused_from_cache": result.reused,
            "identical_groups": len(result.groups),
            "errors": len(result.errors),
            "error_details": dg.MetadataValue.md(
                markdown_table([{"path": e.path, "error": e.message} for e in result.errors[:50]])
                or "none"
            ),
            **replace(reuse, inputs=after).record(warehouse, ["file_hashes"]),
        }
    )


@dg.graph_asset(
    group_name="library",
    ins={"inventory": dg.AssetIn(key=inventory.key, dagster_type=dg.Nothing)},
    description="Content hashes for files whose size collides with another file in any root; "
    "full MD5 (md5_hash) only where head and tail blocks still collide.",
)
def file_hashes(inventory) -> None:  # type: ignore[no-untyped-def]
    return store_hashes(hash_files(plan_hashes(start=inventory)))


# What library_files.sql reads: the tables and views a library step's load depends on.
LIBRARY_INPUTS = (
    "inventory_files",
    "file_locations",
    "file_curation",
    "file_hashes",
    "file_probes",
    "parsed_names",
    "tmdb_file_matches",
    "tmdb_titles",
)


def _load_library(warehouse: Warehouse) -> list[LibraryFile]:
    return library_files(warehouse.named("library_files", {"file_ids": None}))


def with_watch_notes(
    files: list[LibraryFile], store: WatchingStore, recent_days: int
) -> list[LibraryFile]:
    """The files, each with why a person may still want it (watched lately, planned)."""
    titles, watches, planned = store.plan_signals()
    notes = watch_signals(
        [
            FileTitle(
                f.file_id,
                name_key(f.parsed.media_type, f.parsed.title_key, f.parsed.year),
                f.parsed.media_type
                if f.parsed.tmdb_id is not None
                else (f.tmdb_match.tmdb_type if f.tmdb_match else None),
                f.parsed.tmdb_id
                if f.parsed.tmdb_id is not None
                else (f.tmdb_match.tmdb_id if f.tmdb_match else None),
                f.parsed.season,
                tuple(f.parsed.episodes),
            )
            for f in files
        ],
        titles,
        watches,
        planned,
        now=utc_now(),
        recent_days=recent_days,
    )
    return [replace(f, watch_note=notes[f.file_id]) if f.file_id in notes else f for f in files]


@dg.asset(
    group_name="library",
    pool=POOL,
    # media_curation: the library load reads file_curation, so a first refresh's load matches
    # the next one's (and the step can be reused then).
    deps=[probes, parsed_names, file_hashes, tmdb_metadata, "media_curation"],
    description="Seed 002's quality score per file: resolution, codec, bitrate, audio, HDR.",
)
@in_one_session
def quality_scores(
    context: dg.AssetExecutionContext, settings: MediaVaultSettings, warehouse: Warehouse
) -> dg.MaterializeResult:
    reuse = step_reuse(
        context, warehouse, settings.load(), asset_key="quality_scores", inputs=LIBRARY_INPUTS
    )
    if reuse.reused:
        return dg.MaterializeResult(metadata=reuse.carried_metadata())
    files = _load_library(warehouse)
    now = utc_now()
    frame = pl.DataFrame(
        {
            "file_id": [f.file_id for f in files],
            "quality_score": [calculate_quality_score(f.probe) for f in files],
            "scored_at": [now] * len(files),
        },
        schema={"file_id": pl.Int64, "quality_score": pl.Float64, "scored_at": pl.Datetime("us")},
    )
    warehouse.replace_tables({"quality_scores": frame})  # published by duplicate_analysis
    top = warehouse.named("quality_score_preview")
    return dg.MaterializeResult(
        metadata={
            "files_scored": frame.height,
            "mean_score": round(float(frame["quality_score"].mean() or 0.0), 2),
            "preview": dg.MetadataValue.md(markdown_table(top.to_dicts())),
            **reuse.record(warehouse, ["quality_scores"]),
        }
    )


PROMISES = {
    "no_group_loses_last_copy": "No group loses its last copy.",
    "only_english_audio_copy_kept": "No plan stages the only English-audio copy of a title.",
    "no_foreign_film_auto_approved": "No foreign film with English subtitles is auto-approved.",
    "no_rated_file_auto_approved": "No file a person rated is auto-approved.",
    "no_watched_file_auto_approved": "No file watched lately, or of a title on a watch plan, "
    "is auto-approved.",
    "manual_groups_reviewed": "Every plan row of a manual group needs review, never auto-approved.",
    "multi_episode_files_covered": "No multi-episode file is staged unless its episodes stay.",
    "no_hardlink_savings": "No hardlink is counted as savings.",
    "runtimes_support_the_plan": "No file is staged for a much shorter one, nor surely "
    "without running times.",
}


def history_of_staged_files(new_groups: Sequence[DuplicateGroup]) -> dict[str, str]:
    """Rows a new analysis keeps: the plan rows and groups of files that staging moved away.

    Staged files are no longer in the library, so a new grouping cannot see them; their plan
    rows and (no longer current) groups stay as the record of what was done.
    """
    away = "SELECT file_id FROM file_locations WHERE location <> 'original'"
    # `NOT IN (NULL)` is never true: with no new group at all, every old group is "not new".
    new_ids = ", ".join(str(g.id) for g in new_groups)
    not_new = f"id NOT IN ({new_ids}) AND " if new_ids else ""
    groups = f"{not_new}id IN (SELECT group_id FROM duplicate_members WHERE file_id IN ({away}))"
    return {
        "pending_deletions": f"file_id IN ({away})",
        "duplicate_groups": groups,
        "duplicate_members": f"group_id IN (SELECT id FROM duplicate_groups WHERE {groups})",
    }


def promise_violations(plan: DeletionPlan, files: list[LibraryFile]) -> dict[str, list[str]]:
    """Each promise's violations in `plan` (empty lists when every promise holds)."""
    by_id = {f.file_id: f for f in files}
    return {
        "no_group_loses_last_copy": check_no_group_loses_last_copy(plan.groups, plan.rows),
        "only_english_audio_copy_kept": check_english_audio_kept(plan.groups, plan.rows, by_id),
        "no_foreign_film_auto_approved": check_no_auto_approved_foreign_film(plan.rows, by_id),
        "no_rated_file_auto_approved": check_no_auto_approved_rated_file(plan.rows, by_id),
        "no_watched_file_auto_approved": check_no_auto_approved_watched_file(plan.rows, by_id),
        "manual_groups_reviewed": check_manual_groups_reviewed(plan.groups, plan.rows),
        "multi_episode_files_covered": check_multi_episode_coverage(plan.groups, plan.rows, by_id),
        "no_hardlink_savings": check_no_hardlink_savings(plan.rows, by_id),
        "runtimes_support_the_plan": check_runtimes_support_the_plan(plan.rows, by_id),
    }


def _reused_analysis(context: dg.AssetExecutionContext, reuse: StepReuse):  # type: ignore[no-untyped-def]
    """The last analysis stands: its checks held and its tables are untouched since."""
    for name in PROMISES:
        yield dg.AssetCheckResult(
            check_name=name,
            asset_key="deletion_plan",
            passed=True,
            metadata={"violations": 0, "examples": "none", "reused": True},
        )
    for key in ("duplicate_groups", "library_catalog"):
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={**last_metadata(context.instance, key), "reused": True},
        )
    yield dg.MaterializeResult(asset_key="deletion_plan", metadata=reuse.carried_metadata())


@dg.multi_asset(
    group_name="library",
    pool=POOL,
    specs=[
        dg.AssetSpec(
            "duplicate_groups",
            deps=[quality_scores, file_hashes, parsed_names, probes, "media_curation"],
            description="Seed 002's duplicate_groups and duplicate_members: exact (same MD5) and "
            "fuzzy (same title/year or show/season/episode) groups, ranked by quality.",
        ),
        dg.AssetSpec(
            "deletion_plan",
            deps=["duplicate_groups"],
            description="Seed 000's pending_deletions: per group keep one file and propose the "
            "rest, with category, confidence, review flag and a reason; plus keep notes.",
        ),
        dg.AssetSpec(
            "library_catalog",
            deps=["duplicate_groups"],
            description="Seed 004's titles → seasons → episodes → assets (kept files canonical, "
            "SHA-256 where files were read whole), chapter markers, and provider_refs of titles "
            "and episodes (TMDb, IMDb, TVDB).",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(name, asset="deletion_plan", description=text, blocking=True)
        for name, text in PROMISES.items()
    ],
)
@in_one_session
def duplicate_analysis(
    context: dg.AssetExecutionContext, settings: MediaVaultSettings, warehouse: Warehouse
):  # type: ignore[no-untyped-def]
    """Groups duplicates, plans deletions and builds the catalog from one consistent load.

    The promises are checked before anything is written: a plan that breaks one is never stored,
    so the previous plan stays and nothing downstream (staging) acts on it.
    """
    config = settings.load()
    reuse = step_reuse(
        context,
        warehouse,
        config,
        asset_key="deletion_plan",
        inputs=(*LIBRARY_INPUTS, "quality_scores", "tmdb_external_ids", "tmdb_episodes"),
    )
    if reuse.reused:
        yield from _reused_analysis(context, reuse)
        return
    files = with_watch_notes(
        _load_library(warehouse),
        WatchingStore(config.app_store_path),
        config.recent_watch_days,
    )
    policy = PlanPolicy(
        review_threshold=config.review_quality_difference,
        auto_approve_threshold=config.auto_approve_quality_difference,
        auto_approve_enabled=config.auto_approve_enabled,
        fuzzy_threshold=config.fuzzy_match_threshold,
    )
    # Groups a person marked "not duplicates" stay apart (group ids are stable across runs),
    # and the groups people made join (with_manual_groups says how they meet found ones).
    store = ReviewStore(config.app_store_path)
    not_duplicates = store.not_duplicate_groups()
    found = [
        g
        for g in group_duplicates(files, fuzzy_threshold=config.fuzzy_match_threshold)
        if g.id not in not_duplicates
    ]
    groups = [
        g
        for g in with_manual_groups(found, files, store.manual_groups())
        if g.id not in not_duplicates
    ]
    plan = plan_deletions(groups, files, policy)
    violations = promise_violations(plan, files)
    for name, found in violations.items():
        yield dg.AssetCheckResult(
            check_name=name,
            asset_key="deletion_plan",
            passed=not found,
            metadata={"violations": len(found), "examples": "\n".join(found[:20]) or "none"},
        )
    if any(violations.values()):
        broken = "; ".join(f"{name}: {found[0]}" for name, found in violations.items() if found)
        raise dg.Failure(
            "The new deletion plan breaks a promise; it was not stored (the previous plan "
            f"stays). {broken}",
            metadata={name: len(found) for name, found in violations.items()},
        )

    now = utc_now()
    catalog = build_catalog(files, plan.groups)
    refs = provider_refs(
        catalog,
        tmdb_titles_by_media_id(warehouse.named("catalog/tmdb_refs")),
        set(warehouse.named("catalog/tmdb_episode_keys").iter_rows()),
    )
    tables = {
        "duplicate_groups": groups_frame(plan.groups, now),
        "duplicate_members": members_frame(plan.groups, now),
        "pending_deletions": plan_frame(plan, config.staging_root, now.date(), now),
        "keep_notes": keep_notes_frame(plan, now),
        **catalog_frames(catalog, now),
        "provider_refs": provider_refs_frame(refs),
    }
    warehouse.replace_tables(
        tables,
        # Media servers' refs are media_servers' rows (matched to these stable ids).
        keep=history_of_staged_files(plan.groups)
        | {"provider_refs": f"provider IN {tuple(SERVER_KINDS)}"},
    )
    apply_review_state(warehouse, config)
    warehouse.publish_snapshot()
    summary = warehouse.named("analysis_summary").row(0, named=True)
    by_type = Counter(g.group_type for g in plan.groups)
    yield dg.MaterializeResult(
        asset_key="duplicate_groups",
        metadata={
            "groups": len(plan.groups),
            "exact_groups": by_type["exact"],
            "fuzzy_groups": by_type["fuzzy"],
            "manual_groups": by_type["manual"],
            "files_in_groups": sum(g.file_count for g in plan.groups),
            "potential_savings_bytes": dg.MetadataValue.int(
                sum(g.potential_savings for g in plan.groups)
            ),
            "potential_savings": human_bytes(sum(g.potential_savings for g in plan.groups)),
            "preview": dg.MetadataValue.md(
                markdown_table(
                    [
                        {
                            "group": g.show_name,
                            "season": g.season_number,
                            "episode": g.episode_number,
                            "year": g.year,
                            "type": g.group_type,
                            "confidence": round(g.confidence_score, 1),
                            "files": g.file_count,
                            "savings": human_bytes(g.potential_savings),
                        }
                        for g in plan.groups[:20]
                    ]
                )
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key="deletion_plan",
        metadata={
            "plan_rows": summary["plan_rows"],
            "needs_review": summary["needs_review"],
            "auto_approved": summary["auto_approved"],
            "keep_notes": len(plan.keep_notes),
            "bytes_freed": dg.MetadataValue.int(summary["bytes_freed"]),
            "by_category": dg.MetadataValue.json(json.loads(summary["by_category"] or "{}")),
            "reasons": dg.MetadataValue.md(
                markdown_table(
                    [
                        {
                            "category": r.deletion_category,
                            "confidence": r.decision_confidence,
                            "review": r.requires_manual_review,
                            "reason": r.deletion_reason,
                        }
                        for r in plan.rows[:20]
                    ]
                )
                or "no duplicates to plan"
            ),
            # apply_review_state writes user_decisions from the review store.
            **reuse.record(warehouse, [*tables, "user_decisions"]),
        },
    )
    yield dg.MaterializeResult(
        asset_key="library_catalog",
        metadata={
            "titles": len(catalog.titles),
            "seasons": len(catalog.seasons),
            "episodes": len(catalog.episodes),
            "assets": len(catalog.assets),
            "canonical_assets": sum(1 for a in catalog.assets if a.canonical),
            "assets_with_sha256": sum(1 for a in catalog.assets if a.sha256),
            "chapter_markers": len(catalog.markers),
            "provider_refs": len(refs),
        },
    )
