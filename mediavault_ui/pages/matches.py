"""TMDb matches: what TMDb could not settle (ambiguous, unmatched, failed) first, then the
weakest matches. A person picks the right candidate or types a TMDb id; the choice goes to the
review store (writable while a run writes the warehouse), the next refresh fetches that title
through the cache, and it wins over search on every refresh until it is cleared.
"""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from mediavault_ui import queries, ui
from mediavault_ui.data import DataUnavailable

st.title("Matches")
st.caption("Which TMDb title each movie or show of the library is.")
ui.show_flash()
library = ui.library_or_stop()
try:
    rows = library.frame(queries.TMDB_TITLE_MATCHES)
except DataUnavailable as problem:
    ui.show_unavailable(problem)
if not ui.has_tmdb_key():
    st.info(ui.NO_TMDB_KEY, icon=":material/key:")
if not rows.height:
    st.info("No titles looked up yet: run a refresh.", icon=":material/info:")
    st.stop()

store = library.review_store()
manual = store.manual_tmdb_matches()
keys = rows["identity_key"].to_list()
view = rows.with_columns(
    name=pl.when(pl.col("year").is_not_null())
    .then(pl.format("{} ({})", pl.col("title"), pl.col("year")))
    .otherwise(pl.col("title")),
    tmdb=pl.when(pl.col("tmdb_title").is_not_null())
    .then(pl.format("{} ({}) · {}", pl.col("tmdb_title"), pl.col("tmdb_year"), pl.col("tmdb_id")))
    .otherwise(pl.lit("–")),
    manual=pl.Series([manual.get(k) for k in keys], dtype=pl.Int64),
)
selection = st.dataframe(
    view.select("name", "media_type", "status", "tmdb", "confidence", "manual", "files", "reason"),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key=ui.grid_key("tmdb_matches", keys),
    column_config={
        "name": st.column_config.TextColumn("Name in the library", width=200),
        "media_type": st.column_config.TextColumn("Type", width=55),
        "status": st.column_config.TextColumn("Status", width=85),
        "tmdb": st.column_config.TextColumn("TMDb title", width=200),
        "confidence": st.column_config.ProgressColumn(
            "Confidence", min_value=0, max_value=1, format="percent", width=90
        ),
        "manual": st.column_config.NumberColumn("Set by hand", format="%d", width=80),
        "files": st.column_config.NumberColumn("Files", width=50),
        "reason": st.column_config.TextColumn("Why", width=260),
    },
)

chosen = selection.selection.rows if selection else []
wanted = st.session_state.get(ui.MATCH_IDENTITY_KEY)
if chosen:
    row = rows.row(chosen[0], named=True)
elif wanted in keys:
    row = rows.row(keys.index(wanted), named=True)
else:
    st.caption("Select a title to pick its TMDb match.")
    st.stop()

key = row["identity_key"]
with st.container(border=True):
    st.markdown(f"#### {ui.plain(row['title'])}" + (f" ({row['year']})" if row["year"] else ""))
    st.caption(ui.plain(f"{row['status']}: {row['reason']}"))
    candidates = json.loads(row["candidates"] or "[]")
    labels = {
        int(c["tmdb_id"]): f"{c['title']} ({c['year'] or '?'}) · TMDb {c['tmdb_id']}"
        for c in candidates
    }
    with st.form(f"match_{key}"):
        picked = st.radio(
            "Candidates TMDb found",
            list(labels),
            format_func=lambda tmdb_id: ui.plain(labels[tmdb_id]),
            index=None,
        )
        typed = st.number_input(
            f"Or a TMDb {row['media_type']} id", min_value=1, value=None, step=1
        )
        if st.form_submit_button("Use this match", icon=":material/check:", type="primary"):
            tmdb_id = typed or picked
            if tmdb_id is None:
                st.warning("Pick a candidate or type a TMDb id.")
            else:
                store.set_tmdb_match(key, int(tmdb_id), reviewer=ui.reviewer())
                st.session_state[ui.MATCH_IDENTITY_KEY] = key
                ui.flash(f"Saved: the next refresh uses TMDb id {int(tmdb_id)} for {row['title']}.")
                st.rerun()
    if key in manual:
        st.caption(f"Set by hand to TMDb id {manual[key]}: it wins over search.")
        if st.button("Clear the manual match", icon=":material/undo:"):
            store.clear_tmdb_match(key)
            ui.flash(f"Cleared: the next refresh searches TMDb for {row['title']} again.")
            st.rerun()
