"""The app's SQL on the snapshot (sql/queries/app/), one named query per question a page asks.

Queries that mention `decisions` or `not_duplicate` need the review store's tables registered
(see review.review_tables); the library page and count need the live curation ones
(curating.live_tables). Where staged files are comes from the warehouse's `file_locations`
view over the staging journal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mediavault_assets import sql_files

LIBRARY_TOTALS = sql_files.query("app/library_totals")
GROUP_TOTALS = sql_files.query("app/group_totals")
SIZE_BY_TIER = sql_files.query("app/size_by_tier")
SAVINGS_BY_CATEGORY = sql_files.query("app/savings_by_category")
LIBRARY_GROWTH = sql_files.query("app/library_growth")
GROWTH_SPAN_DAYS = sql_files.query("app/growth_span_days")
RECENT_SCANS = sql_files.query("app/recent_scans")
ROOT_FILE_COUNTS = sql_files.query("app/root_file_counts")
PLAN_ROWS = sql_files.query("app/plan_rows")
STAGED_FILES = sql_files.query("app/staged_files")
# The notification sensor's own list: the same files the page offers to purge.
PURGE_DUE = sql_files.query("notify/purge_due")
PURGE_OUTCOMES = sql_files.query("app/purge_outcomes")
STAGING_TOTALS = sql_files.query("app/staging_totals")
GROUPS = sql_files.query("app/groups")
GROUP_MEMBERS = sql_files.query("app/group_members")
GROUP_KEEP_NOTES = sql_files.query("app/group_keep_notes")
GROUP_MEMBERSHIP = sql_files.query("app/group_membership")
SIGNATURES = sql_files.query("app/signatures")
AWAY_FILES = sql_files.query("app/away_files")
MEDIA_FILE = sql_files.query("app/media_file")
LIBRARY_OPTIONS = sql_files.query("app/library_options")
TMDB_TITLE_MATCHES = sql_files.query("app/tmdb_title_matches")
TITLE = sql_files.query("app/title")
TITLES = sql_files.query("app/titles")
TITLE_ASSETS = sql_files.query("app/title_assets")
FILE_CHAPTERS = sql_files.query("app/file_chapters")

# Sort keys a person can pick, mapped to SQL (never a column name from the request).
LIBRARY_SORTS: dict[str, tuple[str, ...]] = {
    "Title": ("title", "season_number", "episode_number", "filename"),
    "File name": ("filename",),
    "Size": ("file_size",),
    "Quality score": ("quality_score",),
    "Resolution": ("width * height",),
    "Modified": ("file_modified_at",),
    "Duration": ("duration",),
    "Rating": ("score",),
}
# The Library's "Group by" choices (seed 002): which files, and whether each season is a group.
GROUPINGS: dict[str, tuple[str, str]] = {
    "show": ("tv", "NULL::INTEGER"),
    "season": ("tv", "season_number"),
    "movie": ("movie", "NULL::INTEGER"),
}
KEYWORD_TYPES = ("any", "user", "auto")  # which keywords a keyword search looks at

STATUSES: dict[str, str] = {
    "healthy": "status = 'active'",
    "error": "status = 'error'",
    "in a duplicate group": "duplicate_group_id IS NOT NULL",
    "proposed for staging": "proposed",
}


@dataclass(frozen=True)
class LibraryFilter:
    search: str = ""
    title: str = ""
    media_types: Sequence[str] = ()
    season: int | None = None
    formats: Sequence[str] = ()
    tiers: Sequence[str] = ()
    languages: Sequence[str] = ()
    statuses: Sequence[str] = ()
    roots: Sequence[str] = ()
    keywords: Sequence[str] = ()  # normalized (curation.normalized_keyword)
    match_all: bool = False  # every keyword, not any of them
    keyword_type: str = "any"  # a KEYWORD_TYPES entry
    min_score: int | None = None  # ratings: -1 rejected, 0 unrated, 1-5
    max_score: int | None = None
    extensions: Sequence[str] = ()
    title_ids: Sequence[int] = ()  # catalog titles (the grouped view's files of a page of groups)

    def where(self) -> tuple[str, dict[str, object]]:
        """A WHERE clause and its named parameters (values are always bound, never pasted).

        `search` is full text: every word must appear in the path, the title, TMDb's title,
        the episode title or a keyword (automatic or a person's)."""
        clauses: list[str] = []
        params: dict[str, object] = {}
        for index, term in enumerate(self.search.lower().split()[:8]):
            clauses.append(
                f"(contains(search_text, $term{index}) OR "
                f"contains(array_to_string(user_keywords, ' '), $term{index}))"
            )
            params[f"term{index}"] = term
        if self.keywords:
            column = {
                "any": "list_concat(auto_keywords, user_keywords)",
                "user": "user_keywords",
                "auto": "auto_keywords",
            }[self.keyword_type]
            test = "list_has_all" if self.match_all else "list_has_any"
            clauses.append(f"{test}({column}, $keywords)")
            params["keywords"] = list(self.keywords)
        if self.min_score is not None:
            clauses.append("score >= $min_score")
            params["min_score"] = self.min_score
        if self.max_score is not None:
            clauses.append("score <= $max_score")
            params["max_score"] = self.max_score
        if self.title.strip():
            clauses.append("contains(lower(coalesce(title, '')), $title)")
            params["title"] = self.title.strip().lower()
        for column, name, values in (
            ("media_type", "media_types", self.media_types),
            ("format", "formats", self.formats),
            ("quality_tier", "tiers", self.tiers),
            ("root_key", "roots", self.roots),
            ("extension", "extensions", self.extensions),
        ):
            if values:
                clauses.append(f"list_contains(${name}, {column})")
                params[name] = list(values)
        if self.title_ids:
            clauses.append("list_contains($title_ids, catalog_title_id)")
            params["title_ids"] = list(self.title_ids)
        if self.season is not None:
            clauses.append("season_number = $season")
            params["season"] = self.season
        if self.languages:
            clauses.append("list_has_any(audio_languages, $languages)")
            params["languages"] = list(self.languages)
        if self.statuses:
            clauses.append("(" + " OR ".join(STATUSES[s] for s in self.statuses) + ")")
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def library_page(where: str, sort: str, descending: bool) -> tuple[str, str]:
    """(count SQL, page SQL with $limit/$offset) for the library browser; `sort` is a key of
    LIBRARY_SORTS."""
    direction = "DESC" if descending else "ASC"
    order = ", ".join(f"{expr} {direction} NULLS LAST" for expr in LIBRARY_SORTS[sort])
    live = sql_files.query("app/live_library")
    count_sql = sql_files.query("app/library_count").format(where=where, live_library=live)
    page_sql = sql_files.query("app/library_page").format(
        where=where, order=order, live_library=live
    )
    return count_sql, page_sql


def library_groups(where: str, grouping: str) -> tuple[str, dict[str, object]]:
    """(SQL, its $media_type) for a page of the grouped library (add $limit and $offset);
    `grouping` is a key of GROUPINGS."""
    media_type, season = GROUPINGS[grouping]
    live = sql_files.query("app/live_library")
    sql = sql_files.query("app/library_groups").format(
        where=where, season=season, live_library=live
    )
    return sql, {"media_type": media_type}
