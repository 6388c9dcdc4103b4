"""Review: the deletion plan with each reason, approved or rejected one by one, by selection or by
rule (never the last copy of a group); the review queue worked through by kind; staged files
restored, and those past retention purged, through Dagster."""

from __future__ import annotations

import polars as pl
import streamlit as st

from mediavault_assets.domain.review_queue import KINDS
from mediavault_assets.reviewing import UnknownIdError
from mediavault_ui import queries, review, ui
from mediavault_ui.dagster_api import API_TAGS, DagsterError, DagsterUnavailable
from mediavault_ui.data import DataUnavailable

OPEN_STATUSES = ["awaiting review", "changed since decision", "auto-approved"]
ALL_STATUSES = [
    *OPEN_STATUSES,
    "approved",
    "kept",
    "moving",
    "staged",
    "purged",
    "needs attention",
]
QUEUE_STATUSES = ["pending", "resolved", "rejected"]
PURGE_PENDING_KEY = "purge_pending"  # the file ids awaiting the purge confirmation
PURGE_RUN_KEY = "purge_run"  # the purge run started from here: run id and file ids

st.title("Review")
ui.show_flash()
library = ui.library_or_stop()
try:
    plan = library.frame(queries.PLAN_ROWS, tables=review.review_tables(library))
    staged = library.frame(queries.STAGED_FILES)
    due = review.purge_due(library)
    queue = review.queue_frame(library)
except DataUnavailable as problem:
    ui.show_unavailable(problem)


def purge_outcome(run: dict) -> None:
    """The purge run started from here: its Dagster status, then what the journal says it did."""
    client = ui.dagster(library)
    try:
        found = next(
            (r for r in client.runs(["purge_staged"], limit=10) if r.run_id == run["run_id"]),
            None,
        )
    except (DagsterUnavailable, DagsterError) as problem:
        st.warning(ui.plain(problem), icon=":material/cloud_off:")
        return
    if found is None or found.in_progress:
        st.info(
            f"Purge run `{run['run_id'][:8]}` is {found.status.lower() if found else 'starting'}…",
            icon=":material/hourglass_top:",
        )
        return
    if not run.get("finished"):
        # Once more, the whole page: the staged and due lists then show what the run did.
        run["finished"] = True
        st.rerun(scope="app")
    deleted = library.frame(queries.PURGE_OUTCOMES, {"file_ids": run["file_ids"]}).filter(
        pl.col("status") == "completed"
    )
    kept = len(set(run["file_ids"]) - set(deleted["file_id"].to_list()))
    text = (
        f"Purge run `{run['run_id'][:8]}` {found.status.lower()}: "
        f"{ui.count(deleted.height, 'file')} deleted for good"
        + (f", {kept} not deleted (the run's log in Dagster says why)" if kept else "")
        + f". [Open in Dagster]({client.run_url(run['run_id'])})"
    )
    if found.status == "SUCCESS" and not kept:
        st.success(text, icon=":material/delete_forever:")
    else:
        st.warning(text, icon=":material/warning:")


# Above the tabs: the page reruns when the run ends, which shows the first tab again.
purge_run = st.session_state.get(PURGE_RUN_KEY)
if purge_run:
    st.fragment(run_every=None if purge_run.get("finished") else 2)(purge_outcome)(purge_run)

pending_queue = queue.filter(pl.col("status") == "pending")
plan_tab, queue_tab, staged_tab, purge_tab = st.tabs(
    [
        f"Deletion plan ({plan.height})",
        f"Review queue ({pending_queue.height})",
        f"Staged files ({staged.height})",
        f"Due for purge ({due.height})",
    ]
)

with plan_tab:
    filters = st.columns([5, 3, 3, 2], vertical_alignment="bottom")
    statuses = filters[0].multiselect("Status", ALL_STATUSES, default=OPEN_STATUSES)
    categories = filters[1].multiselect(
        "Category", list(ui.CATEGORY_LABELS), format_func=ui.CATEGORY_LABELS.get
    )
    confidences = filters[2].multiselect(
        "Confidence", list(ui.CONFIDENCE_LABELS), format_func=ui.CONFIDENCE_LABELS.get
    )
    only_review = filters[3].toggle("Needs review")
    shown = plan
    if statuses:
        shown = shown.filter(pl.col("status").is_in(statuses))
    if categories:
        shown = shown.filter(pl.col("category").is_in(categories))
    if confidences:
        shown = shown.filter(pl.col("confidence").is_in(confidences))
    if only_review:
        shown = shown.filter(pl.col("needs_review"))
    st.caption(
        f"{shown.height:,} of {plan.height:,} proposals · "
        f"{ui.size(shown['bytes_freed'].sum())} would be freed"
    )

    selection = st.dataframe(
        shown.with_columns(
            category=pl.col("category").replace(ui.CATEGORY_LABELS),
            confidence=pl.col("confidence").replace(ui.CONFIDENCE_LABELS),
        ).select("status", "filename", "category", "confidence", "bytes_freed", "reason"),
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=ui.grid_key("plan_rows", shown["file_id"]),
        column_config={
            "status": st.column_config.TextColumn("Status", width=110),
            "filename": st.column_config.TextColumn("Proposed file", width="medium"),
            "category": st.column_config.TextColumn("Category", width=105),
            "confidence": st.column_config.TextColumn("Confidence", width=95),
            "bytes_freed": st.column_config.NumberColumn("Frees", format="bytes", width=70),
            "reason": st.column_config.TextColumn("Reason", width="large"),
        },
    )
    picked = shown[selection.selection.rows] if selection and selection.selection.rows else None

    with st.container(border=True):
        if picked is None:
            st.caption("Select rows to read their reasons in full and approve or reject them.")
        else:
            st.markdown(
                f"**{picked.height} selected** · frees {ui.size(picked['bytes_freed'].sum())}"
            )
            for row in picked.head(5).iter_rows(named=True):
                st.markdown(f"- **{ui.plain(row['filename'])}** — {ui.plain(row['reason'])}")
            if picked.height > 5:
                st.caption(f"… and {picked.height - 5} more.")
        notes = st.text_input("Notes for this decision", key="plan_notes")
        actions = st.container(horizontal=True)
        approve = actions.button(
            "Approve selected", type="primary", icon=":material/check:", disabled=picked is None
        )
        reject = actions.button(
            "Reject selected (keep)", icon=":material/undo:", disabled=picked is None
        )
        if picked is not None and (approve or reject):
            ids = picked["file_id"].to_list()
            if approve:
                count, refused = review.approve(
                    library, ids, reviewer=ui.reviewer(), notes=notes or None
                )
                message = f"Approved {count} file(s) for staging."
                if refused:
                    names = plan.filter(pl.col("file_id").is_in(refused))["filename"].to_list()
                    message += (
                        f" Kept {len(refused)} so that every group keeps a copy: "
                        + ", ".join(names)
                    )
            else:
                count = review.reject(library, ids, reviewer=ui.reviewer(), notes=notes or None)
                message = f"Kept {count} file(s): their proposals are rejected."
            ui.flash(message)
            st.rerun()

    with st.expander("Select by rule", icon=":material/rule:"):
        st.caption(
            "Approve every open proposal that matches. A group never loses its last copy: "
            "if a rule would stage every file of a group, its best file stays."
        )
        rule = st.columns(4)
        rule_categories = rule[0].multiselect(
            "Categories",
            list(ui.CATEGORY_LABELS),
            format_func=ui.CATEGORY_LABELS.get,
            key="rule_categories",
        )
        rule_confidences = rule[1].multiselect(
            "Confidence",
            list(ui.CONFIDENCE_LABELS),
            default=["certain"],
            format_func=ui.CONFIDENCE_LABELS.get,
            key="rule_confidences",
        )
        min_difference = rule[2].number_input(
            "Quality difference at least", value=0.0, step=5.0, key="rule_difference"
        )
        skip_review = rule[3].toggle("Skip rows that need review", value=True, key="rule_skip")
        matching = plan.filter(pl.col("status").is_in(OPEN_STATUSES))
        if rule_categories:
            matching = matching.filter(pl.col("category").is_in(rule_categories))
        if rule_confidences:
            matching = matching.filter(pl.col("confidence").is_in(rule_confidences))
        matching = matching.filter(pl.col("quality_difference").fill_null(0) >= min_difference)
        if skip_review:
            matching = matching.filter(~pl.col("needs_review"))
        st.markdown(
            f"**{matching.height} open proposals match** · frees "
            f"{ui.size(matching['bytes_freed'].sum())}"
        )
        if st.button(
            f"Approve all {matching.height} matching",
            disabled=not matching.height,
            icon=":material/done_all:",
        ):
            count, refused = review.approve(
                library,
                matching["file_id"].to_list(),
                reviewer=ui.reviewer(),
                notes="bulk rule",
            )
            ui.flash(
                f"Approved {count} file(s) by rule"
                + (f"; kept {len(refused)} to leave every group a copy." if refused else ".")
            )
            st.rerun()

    approved = plan.filter(pl.col("status").is_in(["approved", "auto-approved"]))
    if approved.height:
        st.markdown(
            f"**{approved.height} approved** ({ui.size(approved['bytes_freed'].sum())}) wait for "
            "the staging job: the approved-decisions sensor starts it, or start it now."
        )
        if st.button("Stage approved files now", icon=":material/move_to_inbox:"):
            ui.launch(
                library,
                "stage_approved",
                cli="dagster job execute -m mediavault_assets.definitions -j stage_approved",
                tags=API_TAGS,
            )

with staged_tab:
    if not staged.height:
        st.info("Nothing is in staging.", icon=":material/inbox:")
    else:
        st.caption(
            f"{ui.count(staged.height, 'file')} · {ui.size(staged['file_size'].sum())} in "
            f"{ui.plain(library.settings.staging_root)}; purged after "
            f"{library.settings.retention_days} days."
        )
        chosen = st.dataframe(
            staged.select("relative_path", "root_key", "file_size", "staged_at", "reason"),
            hide_index=True,
            on_select="rerun",
            selection_mode="multi-row",
            key=ui.grid_key("staged_rows", staged["file_id"]),
            column_config={
                "relative_path": st.column_config.TextColumn("File", width="large"),
                "root_key": st.column_config.TextColumn("Root", width=60),
                "file_size": st.column_config.NumberColumn("Size", format="bytes", width=80),
                "staged_at": st.column_config.DatetimeColumn(
                    "Staged", format="YYYY-MM-DD HH:mm", width=130
                ),
                "reason": st.column_config.TextColumn("Reason", width="large"),
            },
        )
        rows = chosen.selection.rows if chosen else []
        if st.button(
            f"Restore {len(rows)} selected" if rows else "Restore selected",
            disabled=not rows,
            type="primary",
            icon=":material/restore:",
        ):
            ids = [int(i) for i in staged[rows]["file_id"].to_list()]
            ui.launch(
                library,
                "restore_staged",
                cli="\n".join(f"mediavault restore {i}" for i in ids),
                run_config={
                    "ops": {
                        "restore_files": {
                            "config": {
                                "file_ids": ids,
                                "restore_all": False,
                                "dry_run": False,
                                "restored_by": ui.reviewer(),
                            }
                        }
                    }
                },
                tags=API_TAGS,
            )

with queue_tab:
    counts = queue.group_by("kind").agg(
        pending=(pl.col("status") == "pending").sum(), total=pl.len()
    )
    per_kind = {r["kind"]: r for r in counts.iter_rows(named=True)}
    st.caption(
        " · ".join(
            f"{kind}: {per_kind[kind]['pending']} pending of {per_kind[kind]['total']}"
            for kind in KINDS
            if kind in per_kind
        )
        or "The review queue is empty."
    )
    queue_filters = st.columns([5, 3], vertical_alignment="bottom")
    kinds = queue_filters[0].multiselect("Kind", [k for k in KINDS if k in per_kind])
    queue_status = queue_filters[1].selectbox("Queue status", QUEUE_STATUSES)
    listed = queue.filter(pl.col("status") == queue_status)
    if kinds:
        listed = listed.filter(pl.col("kind").is_in(kinds))
    queue_selection = st.dataframe(
        listed.select("kind", "file", "confidence", "reason", "resolved_by", "resolved_at"),
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=ui.grid_key("queue_rows", listed["item_key"]),
        column_config={
            "kind": st.column_config.TextColumn("Kind", width=150),
            "file": st.column_config.TextColumn("File or title", width="medium"),
            "confidence": st.column_config.ProgressColumn(
                "Confidence", min_value=0.0, max_value=1.0, format="percent", width=95
            ),
            "reason": st.column_config.TextColumn("Reason", width="large"),
            "resolved_by": st.column_config.TextColumn("Answered by", width=100),
            "resolved_at": st.column_config.TextColumn("Answered at (UTC)", width=150),
        },
    )
    queue_picked = listed[queue_selection.selection.rows] if queue_selection else listed.clear()
    plan_items = queue_picked.filter(pl.col("kind") == "plan_review")
    answerable = queue_picked.filter(pl.col("kind") != "plan_review")
    if plan_items.height:
        st.caption(
            f"{plan_items.height} selected plan row(s) are answered on the Deletion plan tab "
            "(approve or reject), not here."
        )
    answers = st.container(horizontal=True)
    resolve = answers.button(
        f"Resolve {answerable.height} selected" if answerable.height else "Resolve selected",
        type="primary",
        icon=":material/task_alt:",
        disabled=not answerable.height,
    )
    dismiss = answers.button(
        f"Reject {answerable.height} selected" if answerable.height else "Reject selected",
        icon=":material/block:",
        disabled=not answerable.height,
    )
    if answerable.height and (resolve or dismiss):
        answer = "resolved" if resolve else "rejected"
        try:
            count = review.resolve_queue(
                library, answerable["item_key"].to_list(), answer, reviewer=ui.reviewer()
            )
        except UnknownIdError as gone:  # a scan published a new queue meanwhile
            st.error(ui.plain(gone), icon=":material/error:")
        else:
            ui.flash(f"{answer.capitalize()} {count} queue item(s) as {ui.reviewer()}.")
            st.rerun()


with purge_tab:
    allowed = ui.may_decide(library)
    st.caption(
        f"Staged more than {ui.count(library.settings.retention_days, 'day')} ago: the purge "
        "deletes them "
        "for good, only if they were approved and are still exactly as staged."
    )
    if not allowed:
        st.caption("Only a signed-in reviewer or an admin may purge.")
    if not due.height:
        st.info("No staged file is past its retention.", icon=":material/schedule:")
    else:
        due_selection = st.dataframe(
            due.select("path", "file_size", pl.col("staged_at").str.slice(0, 16)),
            hide_index=True,
            on_select="rerun",
            selection_mode="multi-row",
            key=ui.grid_key("due_rows", due["file_id"]),
            column_config={
                "path": st.column_config.TextColumn("File", width="large"),
                "file_size": st.column_config.NumberColumn("Size", format="bytes", width=80),
                "staged_at": st.column_config.TextColumn("Staged (UTC)", width=160),
            },
        )
        due_rows = due_selection.selection.rows if due_selection else []
        choose = st.container(horizontal=True)
        if choose.button(
            f"Purge {len(due_rows)} selected…" if due_rows else "Purge selected…",
            icon=":material/delete:",
            disabled=not (allowed and due_rows),
        ):
            st.session_state[PURGE_PENDING_KEY] = due[due_rows]["file_id"].to_list()
        if choose.button(
            f"Purge all {due.height} due…", icon=":material/delete_sweep:", disabled=not allowed
        ):
            st.session_state[PURGE_PENDING_KEY] = due["file_id"].to_list()
        # Only files still due when confirming: the list may have changed since.
        chosen_ids = st.session_state.get(PURGE_PENDING_KEY) or []
        doomed = due.filter(pl.col("file_id").is_in(chosen_ids))
        if allowed and doomed.height:
            with st.container(border=True):
                st.markdown(
                    f"**Delete {ui.count(doomed.height, 'file')} "
                    f"({ui.size(doomed['file_size'].sum())}) for good?** This cannot be "
                    "undone:\n\n"
                    + "\n".join(
                        f"- {ui.plain(r['path'])} ({ui.size(r['file_size'])})"
                        for r in doomed.iter_rows(named=True)
                    )
                )
                confirm = st.container(horizontal=True)
                if confirm.button("Confirm purge", type="primary", icon=":material/check:"):
                    ids = [int(i) for i in doomed["file_id"].to_list()]
                    run_id = ui.launch(
                        library,
                        "purge_staged",
                        cli="mediavault purge",
                        run_config={
                            "ops": {
                                "purge_files": {
                                    "config": {
                                        "file_ids": ids,
                                        "dry_run": False,
                                        "purged_by": ui.reviewer(),
                                    }
                                }
                            }
                        },
                        tags=API_TAGS,
                    )
                    st.session_state.pop(PURGE_PENDING_KEY, None)
                    if run_id:
                        st.session_state[PURGE_RUN_KEY] = {"run_id": run_id, "file_ids": ids}
                        st.rerun()
                if confirm.button("Cancel", icon=":material/close:", key="purge_cancel"):
                    st.session_state.pop(PURGE_PENDING_KEY, None)
                    st.rerun()
