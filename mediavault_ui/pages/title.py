"""Title: one show or movie of seed 004's catalog — a show's seasons and episodes, and every file
of the title with the catalog's canonical one marked. The Library links here (?id=<title id>).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from mediavault_ui import navigation, queries, ui
from mediavault_ui.data import DataUnavailable

CANONICAL_MARK = "✓"

st.title("Title")
ui.show_flash()
library = ui.library_or_stop()
try:
    titles = library.frame(queries.TITLES)
except DataUnavailable as problem:
    ui.show_unavailable(problem)
if not titles.height:
    st.info("No titles in the catalog yet.", icon=":material/info:")
    st.stop()


def _name(row: dict[str, object]) -> str:
    return f"{row['name']} ({row['year']})" if row["year"] else str(row["name"])


names = {
    r["title_id"]: f"{_name(r)} · {r['kind']} · {ui.count(r['files'], 'file')}"
    for r in titles.iter_rows(named=True)
}


def _show(title_id: int) -> None:
    st.session_state["title_id"] = title_id
    st.session_state["title_url"] = str(title_id)
    st.query_params["id"] = str(title_id)


# A link someone opened (?id=) wins over this session's last pick, as on Compare.
requested = st.query_params.get("id", "")
if requested != st.session_state.get("title_url") and requested.isascii() and requested.isdigit():
    st.session_state["title_id"] = int(requested)
if st.session_state.get("title_id") not in names:
    st.session_state["title_id"] = next(iter(names))
_show(st.session_state["title_id"])
st.session_state["title_pick"] = st.session_state["title_id"]
title_id = st.selectbox(
    "Title",
    list(names),
    format_func=names.__getitem__,
    key="title_pick",
    on_change=lambda: _show(st.session_state["title_pick"]),
)
try:
    title = library.one(queries.TITLE, {"title_id": title_id})
    links = library.frame(queries.TITLE_ASSETS, {"title_id": title_id})
except DataUnavailable as problem:
    ui.show_unavailable(problem)

st.markdown(f"### {ui.plain(_name(title))}")
files = links.unique("file_id", keep="first")
with st.container(horizontal=True, vertical_alignment="center"):
    st.badge("Show" if title["kind"] == "show" else "Movie", color="blue")
    st.caption(
        f"{ui.count(files.height, 'file')} · {ui.size(files['file_size'].sum())}"
        + (f" · TMDb: {ui.plain(title['tmdb_title'])}" if title["tmdb_title"] else "")
    )
if title["tmdb_overview"]:
    st.caption(ui.plain(title["tmdb_overview"]))


def _code(season: int | None, episodes: list[int]) -> str:
    if season is None and not episodes:
        return ""
    return f"S{season or 0:02d}" + "".join(f"E{e:02d}" for e in episodes)


if title["kind"] == "show":
    st.markdown("##### Seasons")
    seasons = (
        links.group_by("season")
        .agg(episodes=pl.col("episode_id").n_unique(), files=pl.col("file_id").n_unique())
        .join(
            links.unique(["season", "file_id"])
            .group_by("season")
            .agg(bytes=pl.col("file_size").sum()),
            on="season",
            nulls_equal=True,
        )
        .sort("season", nulls_last=True)
    )
    st.dataframe(
        seasons,
        hide_index=True,
        column_config={
            "season": st.column_config.NumberColumn("Season", format="%d"),
            "episodes": st.column_config.NumberColumn("Episodes"),
            "files": st.column_config.NumberColumn("Files"),
            "bytes": st.column_config.NumberColumn("Size", format="bytes"),
        },
    )
    st.markdown("##### Episodes")
    episodes = (
        links.group_by("episode_id", maintain_order=True)
        .agg(
            pl.col("season", "episode", "episode_name").first(),
            files=pl.len(),
            canonical=pl.col("filename").filter(pl.col("canonical")).str.join(", "),
        )
        .with_columns(
            code=pl.struct("season", "episode").map_elements(
                lambda r: _code(r["season"], [r["episode"]] if r["episode"] else []),
                return_dtype=pl.String,
            )
        )
    )
    st.dataframe(
        episodes.select("code", "episode_name", "files", "canonical"),
        hide_index=True,
        column_config={
            "code": st.column_config.TextColumn("Episode", width=80),
            "episode_name": st.column_config.TextColumn("Name", width=200),
            "files": st.column_config.NumberColumn("Files", width=60),
            "canonical": st.column_config.TextColumn("Canonical file", width=400),
        },
    )

st.markdown("##### Files")
# A multi-episode file is one row; it is canonical when it is for any of its episodes.
assets = (
    links.group_by("file_id", maintain_order=True)
    .agg(
        pl.exclude("episode", "episode_id", "episode_name", "canonical").first(),
        pl.col("episode").drop_nulls(),
        canonical=pl.col("canonical").any(),
    )
    .with_columns(
        code=pl.struct("season", "episode").map_elements(
            lambda r: _code(r["season"], r["episode"]), return_dtype=pl.String
        ),
        mark=pl.when(pl.col("canonical")).then(pl.lit(CANONICAL_MARK)).otherwise(pl.lit("")),
        path=pl.format("{} › {}", "root_key", "relative_path"),
        audio=pl.col("audio_languages").list.join(", "),
        subtitles=pl.col("subtitle_languages").list.join(", "),
        notes=pl.concat_str(
            pl.when(pl.col("proposed")).then(pl.lit("proposed for staging")),
            pl.when(pl.col("duplicate_group_id").is_not_null()).then(pl.lit("duplicate")),
            pl.col("edition"),
            pl.col("extra_kind"),
            separator=", ",
            ignore_nulls=True,
        ),
    )
)
shown = ["mark", "code", "path", "file_size", "quality_tier", "resolution", "video_codec"]
st.dataframe(
    assets.select(
        *shown if title["kind"] == "show" else [c for c in shown if c != "code"],
        "audio",
        "subtitles",
        "notes",
    ),
    hide_index=True,
    column_config={
        "mark": st.column_config.TextColumn("Canonical", width=70),
        "code": st.column_config.TextColumn("Episode", width=80),
        "path": st.column_config.TextColumn("File", width=420),
        "file_size": st.column_config.NumberColumn("Size", format="bytes", width=80),
        "quality_tier": st.column_config.TextColumn("Res.", width=60),
        "resolution": st.column_config.TextColumn("Pixels", width=90),
        "video_codec": st.column_config.TextColumn("Codec", width=60),
        "audio": st.column_config.TextColumn("Audio", width=70),
        "subtitles": st.column_config.TextColumn("Subtitles", width=80),
        "notes": st.column_config.TextColumn("Notes", width=200),
    },
)
st.caption(
    f"{CANONICAL_MARK} canonical: the file kept of a duplicate group (the plan's keeper), "
    "else every primary version — not extras, empty files or a second path of one file."
)
groups = files.filter(pl.col("duplicate_group_id").is_not_null())["duplicate_group_id"].unique()
if groups.len() and st.button("Compare this title's duplicates", icon=":material/compare:"):
    st.session_state["compare_group"] = int(groups.sort()[0])
    st.switch_page(navigation.page("compare"))
