"""Duplicates: every group with its match confidence and reclaimable size; pick one to compare."""

from __future__ import annotations

import polars as pl
import streamlit as st

from mediavault_ui import navigation, queries, review, ui
from mediavault_ui.data import DataUnavailable

REVIEW_STATES = ["To review", "Reviewed", "All"]
# Cell colours of the confidence column: the badge, inside the grid.
LEVEL_STYLES = {
    "Exact": "background-color: #d3f5dd; color: #0f5d2a",
    "High": "background-color: #dbe6ff; color: #1d3f99",
    "Medium": "background-color: #ffe9c7; color: #7a4a00",
    "Low": "background-color: #ffd9d9; color: #8a1c1c",
}

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
    if st.button("Keep all", icon=":material/inventory_2:", help="Keep every file of the group."):
        members = library.frame(queries.GROUP_MEMBERS, {"group_id": group["group_id"]})
        review.decide_group(
            library,
            group["group_id"],
            members["file_id"].to_list(),
            "keep_all",
            reviewer=ui.reviewer(),
        )
        ui.flash(f"Keeping all {members.height} files of {group['label']}.")
        st.rerun()
