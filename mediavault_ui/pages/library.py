"""Library: every file, filtered, sorted and searched in DuckDB one page at a time.

The rows come from the snapshot's library_browser table (built once per refresh) and only the
page on screen leaves DuckDB: benchmarks/bench_library_page.py shows 100,000 files paging in tens
of milliseconds. Thumbnails are made by the thumbnail route when the browser asks for them.
"Group by" pages through the catalog's titles (or their seasons) instead, one query per page,
and reads a group's files only once it is opened.
"""

from __future__ import annotations

import html
from dataclasses import replace

import polars as pl
import streamlit as st

from mediavault_assets import curating, reviewing
from mediavault_assets.domain.curation import (
    MAX_SCORE,
    REJECTED,
    CurationError,
    stars,
)
from mediavault_assets.review_store import ManualGroupRefused
from mediavault_ui import navigation, queries, ui
from mediavault_ui.data import DataUnavailable

PAGE_SIZES = [10, 25, 50, 100]
MANUAL_GROUP_KEY = "manual_group_files"  # file id → file name, kept across pages and filters
SCORES = list(range(REJECTED, MAX_SCORE + 1))


def score_label(score: int) -> str:
    return stars(score) or "unrated"


st.title("Library")
ui.show_flash()
library = ui.library_or_stop()
ui.chat_button("library")
try:
    options = library.one(queries.LIBRARY_OPTIONS)
except DataUnavailable as problem:
    ui.show_unavailable(problem)

with st.container(border=True):
    search, title, kinds, season = st.columns([3, 2, 2, 1])
    search_text = search.text_input(
        "Search names, titles and keywords", placeholder="e.g. S01E02, 2160p or favourite"
    )
    title_text = title.text_input("Show or movie", placeholder="e.g. Red Dwarf")
    media_types = kinds.multiselect("Type", options["media_types"] or [])
    season_number = season.number_input("Season", min_value=0, value=None, step=1)
    formats, tiers, languages, statuses, roots = st.columns(5)
    words, match, word_type, scores, types = st.columns([3, 1, 1, 2, 1])
    store = library.curation_store()
    live = curating.live_tables(store)
    keyword_options = sorted(set(live["live_keywords"]["keyword"].to_list())) + [
        k for k in options["auto_keywords"] or [] if k not in set(live["live_keywords"]["keyword"])
    ]
    chosen_keywords = words.multiselect("Keywords", keyword_options, placeholder="any keyword")
    match_all = match.toggle("All of them", help="files with every keyword, not any")
    keyword_type = word_type.selectbox("Keyword type", list(queries.KEYWORD_TYPES))
    low, high = scores.select_slider(
        "Rating", SCORES, value=(REJECTED, MAX_SCORE), format_func=score_label
    )
    extensions = types.multiselect("File type", options["extensions"] or [])
    filters = queries.LibraryFilter(
        search=search_text,
        title=title_text,
        media_types=media_types,
        season=season_number,
        formats=formats.multiselect("Format", options["formats"] or []),
        tiers=tiers.multiselect("Resolution", options["tiers"] or []),
        languages=languages.multiselect("Audio language", options["languages"] or []),
        statuses=statuses.multiselect("Status", list(queries.STATUSES)),
        roots=roots.multiselect("Root", options["roots"] or []),
        keywords=chosen_keywords,
        match_all=match_all,
        keyword_type=keyword_type,
        min_score=None if low == REJECTED else low,
        max_score=None if high == MAX_SCORE else high,
        extensions=extensions,
    )
    group_col, sort, direction, size_col, page_col = st.columns([1, 2, 1, 1, 1])
    grouping = group_col.selectbox(
        "Group by",
        ["none", *queries.GROUPINGS],
        help="Shows, seasons or movies with their counts and sizes; open one for its files",
    )
    sort_key = sort.selectbox("Sort by", list(queries.LIBRARY_SORTS))
    descending = direction.toggle(
        "Descending", value=sort_key in ("Size", "Quality score", "Rating")
    )
    page_size = size_col.selectbox("Per page", PAGE_SIZES, index=2)

where, params = filters.where()
count_sql, page_sql = queries.library_page(where, sort_key, descending)
# A new filter (or grouping) starts again at page 1.
signature = (where, tuple(sorted(params.items(), key=str)), page_size, grouping)
if st.session_state.get("library_filter") != signature:
    st.session_state["library_filter"] = signature
    st.session_state["library_page"] = 1

GROUP_FILES_LIMIT = 500  # an open group lists at most this many files (and seasons)


def group_label(grouping: str, group: dict[str, object]) -> str:
    name = ui.plain(str(group["title"]))
    if group["year"] and grouping == "movie":
        name += f" ({group['year']})"
    if group["season"] is not None:
        name += f" · Season {group['season']}"
    parts = [name]
    if grouping == "show":
        parts.append(ui.count(int(group["seasons"]), "season"))  # type: ignore[call-overload]
    if grouping != "movie":
        parts.append(ui.count(int(group["episodes"]), "episode"))  # type: ignore[call-overload]
    parts += [ui.count(int(group["files"]), "file"), ui.size(group["bytes"])]  # type: ignore[call-overload]
    if group["duplicates"]:
        parts.append(f"{group['duplicates']} in duplicate groups")
    if group["proposed"]:
        parts.append(f"{group['proposed']} proposed for staging")
    return " · ".join(parts)


def group_files(group: dict[str, object]) -> None:
    """An open group: a show's seasons, then its files, and the way to the title page."""
    title_filter = replace(filters, title_ids=[int(group["title_id"])])  # type: ignore[call-overload]
    if group["season"] is not None:
        title_filter = replace(title_filter, season=int(group["season"]))  # type: ignore[call-overload]
    title_where, title_params = title_filter.where()
    try:
        if grouping == "show":
            seasons_sql, seasons_params = queries.library_groups(title_where, "season")
            seasons = library.frame(
                seasons_sql,
                {**title_params, **seasons_params, "limit": GROUP_FILES_LIMIT, "offset": 0},
                tables=live,
            )
            st.dataframe(
                seasons.select("season", "episodes", "files", "bytes"),
                hide_index=True,
                key=f"library_seasons_{group['title_id']}",
                column_config={
                    "season": st.column_config.NumberColumn("Season", format="%d"),
                    "episodes": st.column_config.NumberColumn("Episodes"),
                    "files": st.column_config.NumberColumn("Files"),
                    "bytes": st.column_config.NumberColumn("Size", format="bytes"),
                },
            )
        _, files_sql = queries.library_page(title_where, sort_key, descending)
        files = library.frame(
            files_sql, {**title_params, "limit": GROUP_FILES_LIMIT, "offset": 0}, tables=live
        )
    except DataUnavailable as problem:
        ui.show_unavailable(problem)
    st.dataframe(
        files.select(
            pl.format("{} › {}", "root_key", "relative_path").alias("file"),
            "quality_tier",
            "video_codec",
            pl.col("audio_languages").list.join(", ").alias("audio"),
            "file_size",
            pl.col("score").map_elements(stars, return_dtype=pl.String).alias("rating"),
        ),
        hide_index=True,
        key=f"library_group_files_{group['title_id']}_{group['season']}",
        column_config={
            "file": st.column_config.TextColumn("File", width=480),
            "quality_tier": st.column_config.TextColumn("Res.", width=60),
            "video_codec": st.column_config.TextColumn("Codec", width=60),
            "audio": st.column_config.TextColumn("Audio", width=70),
            "file_size": st.column_config.NumberColumn("Size", format="bytes", width=80),
            "rating": st.column_config.TextColumn("Rating", width=80),
        },
    )
    if int(group["files"]) > GROUP_FILES_LIMIT:  # type: ignore[call-overload]
        st.caption(
            f"The first {GROUP_FILES_LIMIT} of {group['files']:,} files; "
            "the title page lists them all."
        )
    st.page_link(
        navigation.page("title"),
        label="Open the title page",
        icon=":material/movie:",
        query_params={"id": str(group["title_id"])},
    )


def grouped_view() -> None:
    """A page of groups, each closed until opened (its files are read only then)."""
    groups_sql, groups_params = queries.library_groups(where, grouping)
    page = st.session_state["library_page"]
    try:
        groups = library.frame(
            groups_sql,
            {**params, **groups_params, "limit": page_size, "offset": (page - 1) * page_size},
            tables=live,
        )
    except DataUnavailable as problem:
        ui.show_unavailable(problem)
    total = int(groups["total_groups"][0]) if groups.height else 0
    pages = max(1, -(-total // page_size))
    if page > pages:  # a refresh or a filter left fewer groups than the page on screen
        st.session_state["library_page"] = 1
        st.rerun()
    page_col.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, key="library_page")
    st.caption(
        f"{ui.count(total, grouping)} · {groups['files'].sum():,} files · "
        f"{ui.size(groups['bytes'].sum())} on this page"
    )
    if not groups.height:
        st.info("No file matches these filters.", icon=":material/search_off:")
    for group in groups.iter_rows(named=True):
        box = st.expander(
            group_label(grouping, group),
            key=f"library_group_{grouping}_{group['title_id']}_{group['season']}",
            on_change="rerun",
        )
        if box.open:
            with box:
                group_files(group)


if grouping != "none":
    grouped_view()
    st.stop()
try:
    matched = library.one(count_sql, params, tables=live)
    pages = max(1, -(-int(matched["n"]) // page_size))
    # A refresh can leave fewer pages than the one on screen.
    st.session_state["library_page"] = min(st.session_state["library_page"], pages)
    page = page_col.number_input(
        f"Page (of {pages:,})", min_value=1, max_value=pages, key="library_page"
    )
    rows = library.frame(
        page_sql,
        {**params, "limit": page_size, "offset": (page - 1) * page_size},
        tables=live,
    )
except DataUnavailable as problem:
    ui.show_unavailable(problem)

st.caption(f"{matched['n']:,} files · {ui.size(matched['bytes'])}")
if not rows.height:
    st.info("No file matches these filters.", icon=":material/search_off:")
    st.stop()

ROW_HEIGHT = 56
view = rows.with_columns(
    thumbnail=pl.Series(ui.media_urls("thumb", rows["file_id"].to_list()), dtype=pl.String),
    name=pl.when(pl.col("year").is_not_null())
    .then(pl.format("{} ({})", pl.col("title"), pl.col("year")))
    .otherwise(pl.col("title")),
    code=pl.when(pl.col("season").is_not_null())
    .then(
        pl.format(
            "S{}E{}",
            pl.col("season").cast(pl.String).str.zfill(2),
            pl.col("episodes").list.eval(pl.element().cast(pl.String).str.zfill(2)).list.join("E"),
        )
    )
    .otherwise(pl.lit("")),
    audio=pl.col("audio_languages").list.join(", "),
    rating=pl.col("score").map_elements(stars, return_dtype=pl.String),
    keywords=pl.concat_list("user_keywords", "auto_keywords").list.join(", "),
    tmdb=pl.when(pl.col("tmdb_year").is_not_null())
    .then(pl.format("{} ({})", pl.col("tmdb_title"), pl.col("tmdb_year")))
    .otherwise(pl.col("tmdb_title")),
    notes=pl.concat_str(
        pl.when(pl.col("status") == "error").then(pl.lit("error")),
        pl.when(pl.col("duplicate_group_id").is_not_null()).then(pl.lit("duplicate")),
        separator=", ",
        ignore_nulls=True,
    ),
).with_columns(pl.col("quality_tier", "video_codec").fill_null("–"))
selection = st.dataframe(
    view.select(
        "thumbnail",
        "name",
        "code",
        "tmdb",
        "filename",
        "quality_tier",
        "video_codec",
        "audio",
        "file_size",
        "quality_score",
        "rating",
        "keywords",
        "notes",
    ),
    hide_index=True,
    row_height=ROW_HEIGHT,
    height=min(rows.height, 12) * ROW_HEIGHT + 38,
    on_select="rerun",
    selection_mode="single-row",
    key=ui.grid_key("library_rows", rows["file_id"]),
    column_config={
        "thumbnail": st.column_config.ImageColumn("", width=90),
        "name": st.column_config.TextColumn("Title", width=150),
        "code": st.column_config.TextColumn("Episode", width=70),
        "tmdb": st.column_config.TextColumn("TMDb match", width=150),
        "filename": st.column_config.TextColumn("File", width=240),
        "quality_tier": st.column_config.TextColumn("Res.", width=55),
        "video_codec": st.column_config.TextColumn("Codec", width=60),
        "audio": st.column_config.TextColumn("Audio", width=55),
        "file_size": st.column_config.NumberColumn("Size", format="bytes", width=75),
        "quality_score": st.column_config.ProgressColumn(
            "Score", min_value=0, max_value=200, format="%.0f", width=80
        ),
        "rating": st.column_config.TextColumn("Rating", width=80),
        "keywords": st.column_config.TextColumn("Keywords", width=160),
        "notes": st.column_config.TextColumn("Notes", width=80),
    },
)


def tmdb_match(file: dict[str, object]) -> None:
    """The file's TMDb title (poster address, overview, rating, genres, cast) and a way to fix
    the match on the TMDb matches page."""
    st.markdown("##### TMDb")
    if file["tmdb_title"] is None:
        st.caption("No TMDb match for this title." if ui.has_tmdb_key() else ui.NO_TMDB_KEY)
        return
    poster, about = st.columns([1, 4])
    with poster, st.container(border=True):
        st.markdown(":material/movie: **Poster**")
        if file["tmdb_poster_path"]:
            st.caption(ui.plain(f"{ui.TMDB_IMAGE_BASE}{file['tmdb_poster_path']}"))
        else:
            st.caption("TMDb has no poster.")
    confidence = file["tmdb_confidence"]
    year = f" ({file['tmdb_year']})" if file["tmdb_year"] else ""
    about.markdown(
        f"**{ui.plain(file['tmdb_title'])}{year}** · TMDb {file['tmdb_type']} {file['tmdb_id']}"
    )
    about.markdown(
        " · ".join(
            [
                f"Rating {file['tmdb_rating']}/10"
                if file["tmdb_rating"] is not None
                else "No rating",
                f"Original language: {ui.plain(file['tmdb_original_language'] or '–')}",
                f"Match confidence: {confidence:.0%}"
                if confidence is not None
                else "Match: ID tag",
            ]
        )
    )
    about.markdown(f"Genres: {ui.plain(', '.join(file['tmdb_genres'] or []) or '–')}")
    about.markdown(f"Cast: {ui.plain(', '.join((file['tmdb_cast'] or [])[:5]) or '–')}")
    about.caption(ui.plain(file["tmdb_overview"] or "No overview."))
    if file["tmdb_identity_key"] and about.button("Fix the match", icon=":material/edit:"):
        st.session_state[ui.MATCH_IDENTITY_KEY] = file["tmdb_identity_key"]
        st.switch_page(navigation.page("matches"))


def curation(file: dict[str, object]) -> None:
    """Rate the file and add or remove a person's keywords (kept in the review store)."""
    st.markdown("##### Rating and keywords")
    try:
        target = curating.curated_file(library.settings, int(file["file_id"]))  # type: ignore[call-overload]
    except (curating.UnknownFileError, DataUnavailable) as problem:
        st.caption(str(problem))
        return
    rate, words = st.columns([2, 3])
    score = rate.select_slider(
        "Rating",
        SCORES,
        value=int(file["score"]),  # type: ignore[call-overload]
        format_func=score_label,
        key=f"rating_{file['file_id']}",
        help="-1 rejects the file (the plan proposes it first); a rated file is never staged "
        "automatically",
    )
    if score != file["score"]:
        store.rate(target, score, by=ui.reviewer())
        ui.flash(f"Rated {file['filename']}: {score_label(score)}")
        st.rerun()
    current = list(file["user_keywords"] or [])  # type: ignore[call-overload]
    # Keyed by the keywords too: a widget kept from before a keyword was added would read as
    # "remove the new one".
    kept = words.multiselect(
        "Your keywords",
        current,
        default=current,
        key=ui.grid_key(f"keywords_{file['file_id']}", current),
    )
    if removed := [k for k in current if k not in kept]:
        store.untag(target.file_id, removed)
        st.rerun()
    with words.form(f"tag_{file['file_id']}", clear_on_submit=True, border=False):
        typed = st.text_input("Add keywords", placeholder="comma separated, e.g. favourite")
        if st.form_submit_button("Add", icon=":material/sell:") and typed.strip():
            try:
                added = store.tag(target, typed.split(","), by=ui.reviewer())
            except CurationError as problem:
                st.error(str(problem))
            else:
                ui.flash(f"Tagged {', '.join(added)}")
                st.rerun()
    st.caption(
        "Automatic keywords: " + (", ".join(file["auto_keywords"] or []) or "–")  # type: ignore[arg-type]
    )


def manual_group(file: dict[str, object] | None) -> None:
    """Collect files (from any page or filter) and group them as duplicates by hand: the next
    analysis plans them like any group, every row left to a person."""
    picked: dict[int, str] = st.session_state.setdefault(MANUAL_GROUP_KEY, {})
    if file is None and not picked:
        return
    with st.container(border=True):
        file_id = None if file is None else int(file["file_id"])  # type: ignore[call-overload]
        if (
            file_id is not None
            and file_id not in picked
            and st.button("Pick the selected file for a manual group", icon=":material/add_link:")
        ):
            picked[file_id] = str(file["filename"])  # type: ignore[index]
            st.rerun()
        if not picked:
            return
        st.markdown("##### Manual group")
        st.caption(", ".join(ui.plain(name) for name in picked.values()))
        group, clear = st.columns([1, 4])
        if group.button(
            "Group as duplicates",
            icon=":material/join:",
            disabled=len(picked) < 2,
            help="the next analysis plans them as one duplicate group; a person reviews it",
        ):
            try:
                group_id = reviewing.group_files(library.settings, picked, ui.reviewer())
            except (reviewing.UnknownIdError, ManualGroupRefused, DataUnavailable) as problem:
                st.error(str(problem))
            else:
                ui.flash(
                    f"Grouped {len(picked)} files as manual group {group_id}: the next "
                    "analysis plans it."
                )
                picked.clear()
                st.rerun()
        if clear.button("Clear", icon=":material/close:"):
            picked.clear()
            st.rerun()


chosen = selection.selection.rows if selection else []
manual_group(rows.row(chosen[0], named=True) if chosen else None)
if not chosen:
    st.caption("Select a row to see the file's details.")
    st.stop()
file = rows.row(chosen[0], named=True)
with st.container(border=True):
    st.markdown(f"#### {ui.plain(file['filename'])}")
    # The large thumbnail (made in the background); the URL holds only an id and our token.
    large = ui.media_url("thumb", int(file["file_id"]))
    st.html(
        f'<img src="{html.escape(large)}{"&" if "?" in large else "?"}size=large" '
        'style="max-width: 640px; max-height: 360px" alt="">'
    )
    facts = {
        "Root": file["root_key"],
        "Path": file["relative_path"],
        "Type": file["media_type"],
        "Edition": file["edition"],
        "Container": file["format"],
        "Video": " ".join(
            str(file[k]) for k in ("video_codec", "resolution", "hdr_type") if file[k]
        ),
        "Audio codec": file["audio_codec"],
        "Audio languages": ", ".join(file["audio_languages"] or []) or "–",
        "Subtitles": ", ".join(file["subtitle_languages"] or []) or "–",
        "Size": ui.size(file["file_size"]),
        "Duration": ui.duration(file["duration"]),
        "Modified": ui.when(file["file_modified_at"]),
        "Problem": file["problem"],
    }
    st.dataframe(
        pl.DataFrame(
            {"": list(facts), "value": ["–" if v is None else str(v) for v in facts.values()]}
        ),
        hide_index=True,
        column_config={"": st.column_config.TextColumn(width="small")},
    )
    curation(file)
    tmdb_match(file)
    if file["duplicate_group_id"] is not None and st.button(
        "Compare this file's duplicate group", icon=":material/compare:"
    ):
        st.session_state["compare_group"] = file["duplicate_group_id"]
        st.switch_page(navigation.page("compare"))
