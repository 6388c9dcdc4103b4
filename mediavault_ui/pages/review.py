"""Review: the deletion plan with each reason, approved or rejected one by one, by selection or by
rule (never the last copy of a group); staged files restored through Dagster."""

from __future__ import annotations

import polars as pl
import streamlit as st

from mediavault_ui import queries, review, ui
from mediavault_ui.dagster_api import API_TAGS
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

st.title("Review")
ui.show_flash()
library = ui.library_or_stop()
try:
    plan = library.frame(queries.PLAN_ROWS, tables=review.review_tables(library))
    staged = library.frame(queries.STAGED_FILES)
except DataUnavailable as problem:
    ui.show_unavailable(problem)

plan_tab, staged_tab = st.tabs(
    [f"Deletion plan ({plan.height})", f"Staged files ({staged.height})"]
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
