"""Dashboard: the library at a glance, where the deletion plan stands, recent scans, charts."""

from __future__ import annotations

import polars as pl
import streamlit as st

from mediavault_ui import queries, review, ui
from mediavault_ui.data import DataUnavailable

TIER_ORDER = ["4K", "1080p", "720p", "576p", "480p", "SD", "unknown"]

st.title("Dashboard")
library = ui.library_or_stop()
try:
    totals = library.one(queries.LIBRARY_TOTALS)
    groups = library.one(queries.GROUP_TOTALS)
    plan = library.frame(queries.PLAN_ROWS, tables=review.review_tables(library))
    staging = library.one(queries.STAGING_TOTALS)
    tiers = library.frame(queries.SIZE_BY_TIER)
    savings = library.frame(queries.SAVINGS_BY_CATEGORY)
    span = library.one(queries.GROWTH_SPAN_DAYS)["days"]
    growth = library.frame(
        queries.LIBRARY_GROWTH, {"unit": "day" if int(span or 0) <= 90 else "month"}
    )
    scans = library.frame(queries.RECENT_SCANS, {"limit": 8})
except DataUnavailable as problem:
    ui.show_unavailable(problem)

files, size, dupes, saving = st.columns(4)
files.metric("Video files", f"{totals['files']:,}", border=True)
size.metric("Library size", ui.size(totals["bytes"]), border=True)
dupes.metric(
    "Duplicate groups",
    f"{groups['groups']:,}",
    f"{groups['files']:,} files",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
saving.metric("Potential savings", ui.size(groups["savings"]), border=True)

st.subheader("Deletion plan")
by_status = {
    status: (n, freed or 0)
    for status, n, freed in plan.group_by("status")
    .agg(pl.len(), pl.col("bytes_freed").sum())
    .iter_rows()
}


def _count(*statuses: str) -> tuple[int, int]:
    rows = [by_status[s] for s in statuses if s in by_status]
    return sum(n for n, _ in rows), sum(freed for _, freed in rows)


awaiting = _count("awaiting review", "changed since decision")
approved = _count("approved", "auto-approved")
kept = _count("kept")
cards = st.columns(5)
for card, (label, (count, freed), help_text) in zip(
    cards,
    [
        ("Awaiting review", awaiting, "Proposed by the plan; nobody has decided yet."),
        ("Approved", approved, "Approved for staging; the staging job moves them next."),
        ("Kept", kept, "The proposal was rejected: these files stay."),
        (
            "Staged",
            (staging["staged_files"], staging["staged_bytes"]),
            "Moved to the staging folder; restorable until purged.",
        ),
        (
            "Purged",
            (staging["purged_files"], staging["purged_bytes"]),
            "Deleted for good after the retention period.",
        ),
    ],
    strict=True,
):
    card.metric(
        label,
        f"{count:,}",
        ui.size(freed),
        delta_color="off",
        delta_arrow="off",
        help=help_text,
        border=True,
    )

left, middle, right = st.columns(3)
with left:
    st.markdown("**Size by quality tier**")
    tier_rank = {t: i for i, t in enumerate(TIER_ORDER)}
    divisor, unit = ui.byte_unit(tiers["bytes"].max())
    tiers = tiers.with_columns(
        size=pl.col("bytes") / divisor,
        order=pl.col("tier").replace_strict(tier_rank, default=len(TIER_ORDER)),
    ).sort("order")
    st.bar_chart(tiers, x="tier", y="size", x_label="", y_label=unit, sort=False, height=260)
with middle:
    st.markdown("**Savings by category**")
    if savings.height:
        divisor, unit = ui.byte_unit(savings["bytes"].max())
        savings = savings.with_columns(
            category=pl.col("category").replace(ui.CATEGORY_LABELS),
            size=pl.col("bytes") / divisor,
        )
        st.bar_chart(
            savings, x="category", y="size", x_label="", y_label=unit, horizontal=True, height=260
        )
    else:
        st.caption("Nothing proposed: no savings to show.")
with right:
    st.markdown("**Library size over time**")
    divisor, unit = ui.byte_unit(growth["library_bytes"].max())
    growth = growth.with_columns(size=pl.col("library_bytes") / divisor)
    if growth.height > 1:
        st.area_chart(growth, x="period", y="size", x_label="", y_label=unit, height=260)
    else:
        st.caption("All files date from one day: nothing to plot yet.")
    st.caption("Current files by the date they were written.")

st.subheader("Recent scans")
if scans.height:
    st.dataframe(
        scans.select(
            "started",
            "root",
            "status",
            "triggered_by",
            "files_found",
            "files_new",
            "files_updated",
            "files_deleted",
            "errors_count",
            "duration_seconds",
        ),
        hide_index=True,
        column_config={
            "started": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD HH:mm"),
            "root": "Root",
            "status": "Status",
            "triggered_by": "Trigger",
            "files_found": "Found",
            "files_new": "New",
            "files_updated": "Updated",
            "files_deleted": "Gone",
            "errors_count": "Errors",
            "duration_seconds": st.column_config.NumberColumn("Seconds"),
        },
    )
else:
    st.caption("No scan has run yet.")
