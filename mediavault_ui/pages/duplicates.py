"""Duplicates: every group with its match confidence and reclaimable size; pick one to compare."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from mediavault_ui import navigation, queries, review, ui
from mediavault_ui.comparison import keeper
from mediavault_ui.data import DataUnavailable

REVIEW_STATES = ["To review", "Reviewed", "All"]
# Cell colours of the confidence column: the badge, inside the grid.
LEVEL_STYLES = {
    "Exact": "background-color: #d3f5dd; color: #0f5d2a",
    "High": "background-color: #dbe6ff; color: #1d3f99",
    "Medium": "background-color: #ffe9c7; color: #7a4a00",
    "Low": "background-color: #ffd9d9; color: #8a1c1c",
}
PENDING_KEY = "dup_pending"  # the Archive / Keep All awaiting confirmation: group and action


def group_members(group_id: int) -> list[dict[str, Any]]:
    return list(library.frame(queries.GROUP_MEMBERS, {"group_id": group_id}).iter_rows(named=True))


def named(member: dict[str, Any]) -> str:
    # Copies in two roots often share a file name: the root tells them apart.
    return f"{member['root_key']} › {member['filename']}"


def file_lines(members: list[dict[str, Any]]) -> str:
    return "\n".join(f"- {ui.plain(named(m))} ({ui.size(m['file_size'])})" for m in members)


st.title("Duplicates")
ui.show_flash()
library = ui.library_or_stop()
ui.chat_button("duplicates")
try:
    groups = library.frame(queries.GROUPS, tables=review.review_tables(library))
except DataUnavailable as problem:
    ui.show_unavailable(problem)

if not groups.height:
    st.success("No duplicate groups: every file in the library is one of a kind.")
    st.stop()

records = list(groups.iter_rows(named=True))
groups = groups.with_columns(
    level=pl.Series(
        [ui.confidence_level(r["group_type"], r["confidence_score"]) for r in records],
        dtype=pl.String,
    ),
    label=pl.Series([ui.group_label(r) for r in records], dtype=pl.String),
    category_labels=pl.col("categories").list.eval(pl.element().replace(ui.CATEGORY_LABELS)),
)

with st.container(border=True):
    state, levels, categories, kinds, search = st.columns([3, 2, 3, 2, 2])
    review_state = state.segmented_control(
        "Show", REVIEW_STATES, default="To review", key="dup_state"
    )
    chosen_levels = levels.multiselect("Confidence", list(ui.CONFIDENCE_COLOURS))
    chosen_categories = categories.multiselect(
        "Plan category", list(ui.CATEGORY_LABELS), format_func=ui.CATEGORY_LABELS.get
    )
    chosen_kinds = kinds.multiselect("Type", sorted(groups["media_type"].drop_nulls().unique()))
    search_text = search.text_input("Title contains")

shown = groups
if review_state == "To review":
    shown = shown.filter(~pl.col("reviewed"))
elif review_state == "Reviewed":
    shown = shown.filter(pl.col("reviewed"))
if chosen_levels:
    shown = shown.filter(pl.col("level").is_in(chosen_levels))
if chosen_categories:
    shown = shown.filter(
        pl.col("categories").list.set_intersection(chosen_categories).list.len() > 0
    )
if chosen_kinds:
    shown = shown.filter(pl.col("media_type").is_in(chosen_kinds))
if search_text.strip():
    shown = shown.filter(
        pl.col("label").str.to_lowercase().str.contains(search_text.lower(), literal=True)
    )

to_review = groups.filter(~pl.col("reviewed"))
st.caption(
    f"{groups.height:,} groups · {to_review.height:,} to review · "
    f"{ui.size(to_review['potential_savings'].sum())} reclaimable in groups still to review · "
    f"showing {shown.height:,}"
)
if not shown.height:
    st.info("No group matches these filters.", icon=":material/filter_alt_off:")
    st.stop()

table = shown.with_columns(
    confidence=pl.col("level"), category=pl.col("category_labels").list.join(", ")
)
grid = table.select(
    "confidence",
    "label",
    "media_type",
    "files",
    "total_size",
    "potential_savings",
    "category",
    "needs_review",
    "reviewed",
).to_pandas()
selection = st.dataframe(
    grid.style.map(lambda level: LEVEL_STYLES.get(level, ""), subset=["confidence"]),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key=ui.grid_key("dup_rows", table["group_id"]),
    column_config={
        "confidence": st.column_config.TextColumn("Confidence", width=90),
        "label": st.column_config.TextColumn("Group", width="medium"),
        "media_type": st.column_config.TextColumn("Type", width=60),
        "files": st.column_config.NumberColumn("Files", width=50),
        "total_size": st.column_config.NumberColumn("Total", format="bytes", width=80),
        "potential_savings": st.column_config.NumberColumn(
            "Reclaimable", format="bytes", width=100
        ),
        "category": st.column_config.TextColumn("Plan", width="medium"),
        "needs_review": st.column_config.CheckboxColumn("Needs review", width=100),
        "reviewed": st.column_config.CheckboxColumn("Reviewed", width=80),
    },
)

rows = selection.selection.rows if selection else []
group = table.row(rows[0] if rows else 0, named=True)
if not rows:
    st.caption("Select a group, or open the first one:")
with st.container(border=True, horizontal=True, vertical_alignment="center"):
    label, colour = ui.confidence_badge(group["group_type"], group["confidence_score"])
    st.badge(label, color=colour)
    st.markdown(f"**{ui.plain(group['label'])}** · {group['files']} files")
    if st.button("Compare", type="primary", icon=":material/compare:"):
        st.session_state["compare_group"] = group["group_id"]
        st.switch_page(navigation.page("compare"))
    # Archiving around a keeper that is not in the library would stage the last copy.
    keeper_away = keeper(group_members(group["group_id"]))["location"] != "original"
    if st.button(
        "Archive",
        icon=":material/archive:",
        help="The plan's keeper is in staging now: restore it first (Review › Staged files)."
        if keeper_away
        else "Keep the plan's keeper and approve staging every other file of the group.",
        disabled=keeper_away,
    ):
        st.session_state[PENDING_KEY] = {"group_id": group["group_id"], "action": "archive"}
    if st.button(
        "Keep All",
        icon=":material/inventory_2:",
        help="Not duplicates: keep every file of the group.",
    ):
        st.session_state[PENDING_KEY] = {"group_id": group["group_id"], "action": "keep_all"}

pending = st.session_state.get(PENDING_KEY)
if pending and pending["group_id"] == group["group_id"]:
    members = group_members(group["group_id"])
    ids = [m["file_id"] for m in members]
    who = ui.reviewer()
    with st.container(border=True):
        if pending["action"] == "archive":
            kept = keeper(members)
            # decide_group's own check: the files it keeps with the keeper and what it loses.
            check = review.keep_one_check(library, ids, kept["file_id"])
            kept_ids = {kept["file_id"], *check.same_file_ids}
            staged = [m for m in members if m["file_id"] not in kept_ids]
            st.markdown(
                f"**Archive {ui.count(len(staged), 'file')} "
                f"({ui.size(sum(m['file_size'] for m in staged))})?** Keeping "
                f"{ui.plain(named(kept))}; approving for staging:\n\n{file_lines(staged)}"
            )
            st.caption(
                "The approved-decisions sensor then moves them to "
                f"{ui.plain(library.settings.staging_root)}, where Review › Staged files "
                "restores them until they are purged."
            )
            if check.losses:
                st.warning(
                    "This would stage what the plan never stages on its own:\n\n"
                    + "\n".join(f"- {ui.plain(loss)}" for loss in check.losses),
                    icon=":material/warning:",
                )
            label = "Archive anyway" if check.losses else "Confirm Archive"
        else:
            st.markdown(
                f"**Keep all {ui.count(len(members), 'file')} "
                f"({ui.size(sum(m['file_size'] for m in members))})?** The group is marked as "
                f"not duplicates and nothing is staged:\n\n{file_lines(members)}"
            )
            label = "Confirm Keep All"
        buttons = st.container(horizontal=True)
        if buttons.button(label, type="primary", icon=":material/check:"):
            if pending["action"] == "archive":
                # The losses were shown above: confirming them is the explicit yes.
                review.decide_group(
                    library,
                    group["group_id"],
                    ids,
                    "keep_one",
                    reviewer=who,
                    keep_file_id=kept["file_id"],
                    accept_losses=bool(check.losses),
                )
                done = (
                    f"Archiving {group['label']}: {ui.count(len(staged), 'file')} approved for "
                    "staging; the approved-decisions sensor moves them."
                )
            else:
                review.decide_group(library, group["group_id"], ids, "not_duplicate", reviewer=who)
                done = f"Keeping all {len(members)} files of {group['label']}: not duplicates."
            st.session_state.pop(PENDING_KEY, None)
            ui.flash(f"{done} Saved by {who}.")
            st.rerun()
        if buttons.button("Cancel", icon=":material/close:"):
            st.session_state.pop(PENDING_KEY, None)
            st.rerun()
