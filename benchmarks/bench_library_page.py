"""How the review app's Library page scales: 100,000 generated files paged inside DuckDB.

Run: .venv/bin/python benchmarks/bench_library_page.py [--files 100000] [--seed N] [--repeat 5]

A temporary warehouse is migrated with the project's own migrations and filled in SQL
(INSERT ... SELECT ... FROM range(N)): shows with seasons and episodes and movies with years, in
mkv, mp4 and avi, 4K to SD, audio in one or two languages, about 3 % failed probes and 0.5 %
truncated files, two roots (the library and a downloads folder of copies), and about 6 % of the
files in two-file duplicate groups with the lower-quality copy proposed for staging. It is then
published as the snapshot the app reads.

Each page view runs what mediavault_ui/pages/library.py runs, through the app's own read path
(data.Library: the snapshot attached once, re-attached when a refresh replaces it) and the app's
own SQL
(queries.LibraryFilter(...).where(), queries.library_page, queries.LIBRARY_OPTIONS): the count
query, then one page of 50 rows. The baseline is what many Streamlit apps do: load
`SELECT * FROM media_files` (every row and column) into polars on every page view, then filter,
sort and slice in polars. Both run in their own fresh process, so their peak RSS growth can be
compared; each figure is the median of --repeat page views, and both must show the same page.
Other work on the machine skews wall times: the load average is printed. Needs Linux (/proc for
the RSS figures).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from mediavault_assets import sql_files
from mediavault_assets.curation_store import CurationStore
from mediavault_assets.settings import LibraryRoot, Settings
from mediavault_assets.warehouse import Warehouse, replace_with_query
from mediavault_ui import queries
from mediavault_ui.data import Library

PAGE_SIZE = 50
WORDS = [
    "Red", "Dwarf", "Blue", "Planet", "Star", "Night", "Iron", "Silver", "Golden", "River",
    "Winter", "Summer", "Shadow", "Empire", "Crown", "Ocean", "Storm", "Dragon", "Ghost", "City",
    "Broken", "Hidden", "Last", "First", "Lost", "Wild", "Dark", "Bright", "Secret", "Garden",
    "Paper", "Glass", "Stone", "Fire", "Wolf", "Raven", "Harbor", "Mountain", "Desert", "Island",
    "Machine", "Station", "Circus", "Kingdom", "Doctor", "Detective", "Agent", "Witness", "Truth",
    "Echo", "Signal", "Orbit", "Frontier", "Legacy", "Promise", "Voyage", "Harvest", "Fortune",
]  # fmt: skip

# Derived per file from hash(i, seed, ...), so a seed always gives the same library. A copy
# (i % 33 = 1, in the downloads root) repeats the name of the file before it in another encode.
GENERATE = """
CREATE TEMP TABLE synth AS
WITH base AS (
    SELECT
        i,
        CAST(hash(i, $seed, 'id') >> 1 AS BIGINT) AS file_id,
        i % 33 = 1 AS is_copy,
        CASE WHEN i % 33 = 1 THEN i - 1 ELSE i END AS c
    FROM range($files) AS r(i)
),
rolls AS (
    SELECT
        *,
        hash(c // 40, $seed, 'kind') % 10 < 7 AS is_tv,
        CASE WHEN hash(c // 40, $seed, 'kind') % 10 < 7 THEN hash(c // 40, $seed, 'title')
             ELSE hash(c, $seed, 'title') END AS th,
        CAST(hash(i, $seed, 'tier') % 100 AS INTEGER) AS tier_roll,
        CAST(hash(i, $seed, 'format') % 100 AS INTEGER) AS format_roll,
        CAST(hash(i, $seed, 'lang') % 100 AS INTEGER) AS lang_roll,
        CAST(hash(i, $seed, 'subs') % 100 AS INTEGER) AS subs_roll,
        CAST(hash(i, $seed, 'probe') % 1000 AS INTEGER) AS probe_roll,
        hash(i, $seed, 'size') % 1000 / 1000.0 AS size_roll,
        hash(c, $seed, 'duration') % 1000 / 1000.0 AS duration_roll,
        CAST(hash(i, $seed, 'time') % 300000000 AS BIGINT) AS age_seconds,
        hash(i, $seed, 'root') % 100 < 5 AS in_downloads
    FROM base
),
shaped AS (
    SELECT
        i, file_id, c, is_copy, is_tv, probe_roll, subs_roll, size_roll, age_seconds,
        $words[1 + CAST(th % len($words) AS INTEGER)] || ' '
            || $words[1 + CAST(th // 1009 % len($words) AS INTEGER)]
            || CASE WHEN th % 5 = 0
                    THEN ' ' || $words[1 + CAST(th // 100003 % len($words) AS INTEGER)]
                    ELSE '' END AS title,
        CASE WHEN is_tv THEN CAST(c % 40 // 10 + 1 AS INTEGER) END AS season,
        CASE WHEN is_tv THEN CAST(c % 10 + 1 AS INTEGER) END AS episode,
        CASE WHEN NOT is_tv THEN CAST(1950 + hash(c, $seed, 'year') % 75 AS INTEGER) END AS year,
        CASE WHEN format_roll < 65 THEN 'mkv' WHEN format_roll < 90 THEN 'mp4' ELSE 'avi' END
            AS ext,
        CASE
            WHEN format_roll >= 90 THEN CASE WHEN tier_roll < 50 THEN '480p' ELSE 'SD' END
            WHEN tier_roll < 10 THEN '4K'
            WHEN tier_roll < 55 THEN '1080p'
            WHEN tier_roll < 85 THEN '720p'
            WHEN tier_roll < 93 THEN '480p'
            ELSE 'SD'
        END AS tier,
        CASE
            WHEN lang_roll < 60 THEN ['en']
            WHEN lang_roll < 75 THEN ['fr', 'en']
            WHEN lang_roll < 82 THEN ['ja']
            WHEN lang_roll < 87 THEN ['de', 'en']
            WHEN lang_roll < 92 THEN ['es']
            WHEN lang_roll < 96 THEN ['und']
            ELSE ['it', 'en']
        END AS audio_languages,
        CASE WHEN is_copy OR in_downloads THEN 'docker' ELSE 'videos' END AS root_key,
        (CASE WHEN is_tv THEN 1300 + 2200 * duration_roll
              ELSE 5000 + 4500 * duration_roll END) AS duration
    FROM rolls
),
named AS (
    SELECT
        *,
        CASE tier WHEN '4K' THEN '2160p' WHEN 'SD' THEN 'DVDRip' ELSE tier END AS label,
        CASE WHEN ext = 'avi' THEN 'mpeg4'
             WHEN tier = '4K' OR (tier = '1080p' AND probe_roll % 3 = 0) THEN 'hevc'
             ELSE 'h264' END AS video_codec,
        CASE tier WHEN '4K' THEN 3840 WHEN '1080p' THEN 1920 WHEN '720p' THEN 1280
                  WHEN '480p' THEN 720 ELSE 640 END AS width,
        CASE tier WHEN '4K' THEN 2160 WHEN '1080p' THEN 1080 WHEN '720p' THEN 720
                  WHEN '480p' THEN 480 ELSE 352 END AS height,
        CASE tier WHEN '4K' THEN 12e9 WHEN '1080p' THEN 4e9 WHEN '720p' THEN 1.5e9
                  WHEN '480p' THEN 0.8e9 ELSE 0.6e9 END AS bytes_per_hour,
        ['TVLab', 'FLUX', 'NTb', 'SPARKS', 'AMIABLE'][1 + i % 5] AS release_group,
        CASE WHEN is_tv THEN printf('S%02dE%02d', season, episode) END AS code
    FROM shaped
)
SELECT
    *,
    CASE
        WHEN root_key = 'docker' AND is_tv THEN
            'downloads/' || replace(title, ' ', '.') || '.' || code || '.' || label
            || '.WEB-DL.' || video_codec || '-' || release_group || '.' || ext
        WHEN root_key = 'docker' THEN
            'downloads/' || replace(title, ' ', '.') || '.' || year || '.' || label
            || '.BluRay.' || video_codec || '-' || release_group || '.' || ext
        WHEN is_tv THEN
            'TV/' || title || '/Season ' || printf('%02d', season) || '/'
            || title || ' - ' || code || ' - ' || label || '.' || ext
        ELSE
            'Movies/' || title || ' (' || year || ')/' || title || ' (' || year || ') - '
            || label || '.' || ext
    END AS relative_path,
    CAST(bytes_per_hour * duration / 3600 * (0.6 + size_roll) AS BIGINT) AS file_size,
    probe_roll < 30 AS probe_failed,
    probe_roll BETWEEN 30 AND 34 AS truncated,
    make_timestamp((1420000000 + age_seconds) * 1000000) AS modified_at,
    make_timestamp((1420000000 + age_seconds + 86400 * (probe_roll % 30)) * 1000000)
        AS first_seen_at
FROM named
"""

INSERTS = [
    """
    INSERT INTO inventory_files BY NAME
    SELECT file_id, root_key, relative_path,
           '/volume1/' || root_key || '/' || relative_path AS filepath,
           '/mnt/' || root_key || '/' || relative_path AS local_path,
           regexp_extract(relative_path, '[^/]+$') AS filename,
           ext AS extension, file_size,
           (1420000000 + age_seconds) * 1000000000 + i % 1000000000 AS mtime_ns,
           modified_at AS file_modified_at, modified_at AS file_created_at,
           CASE WHEN root_key = 'docker' THEN 2 ELSE 1 END AS device,
           1000 + i AS inode, 1 AS link_count, first_seen_at,
           TIMESTAMP '2025-06-01 03:00:00' AS scanned_at
    FROM synth
    """,
    """
    INSERT INTO file_probes BY NAME
    SELECT file_id, root_key, file_size,
           (1420000000 + age_seconds) * 1000000000 + i % 1000000000 AS mtime_ns,
           1000 + i AS inode,
           CASE WHEN NOT probe_failed THEN duration END AS duration,
           CASE WHEN NOT probe_failed THEN ext END AS format,
           CASE WHEN NOT probe_failed THEN video_codec END AS video_codec,
           CASE WHEN probe_failed THEN NULL WHEN ext = 'avi' THEN 'mp3'
                ELSE ['aac', 'ac3', 'eac3', 'dts'][1 + i % 4] END AS audio_codec,
           CASE WHEN NOT probe_failed THEN width END AS width,
           CASE WHEN NOT probe_failed THEN height END AS height,
           CASE WHEN NOT probe_failed THEN CAST(file_size * 8 / duration / 1000 AS INTEGER) END
               AS bitrate,
           false AS bitrate_estimated,
           CASE WHEN NOT probe_failed THEN [23.976, 25.0, 24.0][1 + i % 3] END AS framerate,
           CASE WHEN NOT probe_failed THEN tier END AS quality_tier,
           CASE WHEN probe_failed THEN NULL
                WHEN tier = '4K' THEN ['SDR', 'HDR10', 'Dolby Vision'][1 + i % 3]
                ELSE 'SDR' END AS hdr_type,
           CASE WHEN NOT probe_failed THEN [2.0, 5.1][1 + i % 2] END AS audio_channels,
           CASE WHEN probe_failed THEN 0 ELSE len(audio_languages) END AS audio_track_count,
           CASE WHEN probe_failed OR subs_roll >= 70 THEN 0 ELSE 1 + subs_roll % 2 END
               AS subtitle_track_count,
           CASE WHEN probe_failed THEN [] ELSE audio_languages END AS audio_languages,
           CASE WHEN probe_failed OR subs_roll >= 70 THEN []
                WHEN subs_roll % 2 = 0 THEN ['en'] ELSE ['en', 'fr'] END AS subtitle_languages,
           CASE WHEN probe_failed OR subs_roll >= 70 THEN []
                WHEN subs_roll % 2 = 0 THEN ['en'] ELSE ['en', 'fr'] END
               AS embedded_subtitle_languages,
           NOT probe_failed AND list_contains(audio_languages, 'en') AS has_english_audio,
           NOT probe_failed AND subs_roll < 70 AS has_english_subtitles,
           NOT probe_failed AND NOT list_has_any(audio_languages, ['en', 'und'])
               AS is_foreign_film,
           CASE WHEN NOT probe_failed THEN TIMESTAMP '2025-06-01 03:10:00' END
               AS language_detected_at,
           CASE WHEN truncated THEN 'truncated: the file ends before its stated duration' END
               AS integrity_error,
           CASE WHEN probe_failed THEN 'not a recognizable media file' END AS probe_error,
           TIMESTAMP '2025-06-01 03:10:00' AS probed_at
    FROM synth
    """,
    """
    INSERT INTO parsed_names BY NAME
    SELECT file_id, root_key, relative_path,
           CASE WHEN is_tv THEN 'tv' ELSE 'movie' END AS media_type,
           title, lower(title) AS title_key, year, season,
           CASE WHEN is_tv THEN [episode] END AS episodes,
           CASE WHEN NOT is_tv AND probe_roll % 40 = 0 THEN 'Director''s Cut' END AS edition,
           false AS is_3d,
           CASE WHEN root_key = 'docker' THEN release_group END AS release_group,
           label AS screen_size,
           TIMESTAMP '2025-06-01 03:05:00' AS parsed_at
    FROM synth
    """,
    """
    INSERT INTO quality_scores BY NAME
    SELECT file_id,
           CASE tier WHEN '4K' THEN 100 WHEN '1080p' THEN 75 WHEN '720p' THEN 50
                     WHEN '480p' THEN 25 ELSE 10 END
           + CASE video_codec WHEN 'hevc' THEN 15 WHEN 'h264' THEN 10 ELSE 0 END
           + 60 * size_roll AS quality_score,
           TIMESTAMP '2025-06-01 03:20:00' AS scored_at
    FROM synth
    WHERE NOT probe_failed
    """,
    """
    CREATE TEMP TABLE members AS
    WITH pairs AS (
        SELECT CAST(hash(d.c, $seed, 'group') >> 1 AS BIGINT) AS group_id,
               [d.i, d.c] AS members
        FROM synth AS d
        WHERE d.is_copy
    ),
    flat AS (SELECT group_id, unnest(members) AS i FROM pairs)
    SELECT f.group_id, s.*, coalesce(q.quality_score, 0) AS quality_score,
           CAST(row_number() OVER (PARTITION BY f.group_id
                                   ORDER BY coalesce(q.quality_score, 0) DESC, s.file_id)
                AS INTEGER) AS quality_rank,
           CAST(row_number() OVER (PARTITION BY f.group_id ORDER BY s.file_size DESC, s.file_id)
                AS INTEGER) AS size_rank
    FROM flat AS f
    JOIN synth AS s USING (i)
    LEFT JOIN quality_scores AS q USING (file_id)
    """,
    """
    INSERT INTO file_hashes BY NAME
    SELECT s.file_id, s.root_key, s.file_size,
           (1420000000 + s.age_seconds) * 1000000000 + s.i % 1000000000 AS mtime_ns,
           1000 + s.i AS inode,
           md5(s.file_id || 'head') AS head_hash, md5(s.file_id || 'tail') AS tail_hash,
           CASE WHEN m.file_id IS NOT NULL THEN md5(CAST(s.file_id AS VARCHAR)) END AS md5_hash,
           TIMESTAMP '2025-06-01 03:15:00' AS hashed_at
    FROM synth AS s
    LEFT JOIN members AS m USING (file_id)
    """,
    """
    INSERT INTO duplicate_members BY NAME
    SELECT CAST(hash(file_id, $seed, 'member') >> 1 AS BIGINT) AS id, group_id, file_id,
           quality_rank, quality_rank = 1 AS is_primary, quality_score, size_rank,
           TIMESTAMP '2025-06-01 03:30:00' AS added_at
    FROM members
    """,
    """
    INSERT INTO duplicate_groups BY NAME
    SELECT group_id AS id,
           CASE WHEN count(DISTINCT tier) = 1 THEN 'exact' ELSE 'fuzzy' END AS group_type,
           0.9 AS confidence_score,
           any_value(title) AS show_name, any_value(season) AS season_number,
           any_value(episode) AS episode_number, any_value(year) AS year,
           CASE WHEN bool_or(is_tv) THEN 'tv' ELSE 'movie' END AS media_type,
           count(*) AS file_count, sum(file_size) AS total_size,
           sum(file_size) FILTER (WHERE quality_rank > 1) AS potential_savings,
           any_value(file_id) FILTER (WHERE quality_rank = 1) AS primary_file_id
    FROM members
    GROUP BY group_id
    """,
    """
    INSERT INTO pending_deletions BY NAME
    SELECT CAST(hash(m.file_id, $seed, 'plan') >> 1 AS BIGINT) AS id, m.file_id,
           m.group_id AS duplicate_group_id,
           '/volume1/' || m.root_key || '/' || m.relative_path AS original_filepath,
           '/volume1/duplicates_before_purge/' || m.relative_path AS temp_filepath,
           'lower quality than the kept copy' AS deletion_reason,
           'lower_quality' AS deletion_category, k.file_id AS kept_file_id,
           k.quality_score AS kept_file_quality_score,
           m.quality_score AS deleted_file_quality_score,
           k.quality_score - m.quality_score AS quality_difference,
           m.audio_languages, 'certain' AS decision_confidence,
           k.quality_score - m.quality_score < 20 AS requires_manual_review,
           m.file_size AS bytes_freed, TIMESTAMP '2025-06-01 03:40:00' AS planned_at
    FROM members AS m
    JOIN members AS k ON k.group_id = m.group_id AND k.quality_rank = 1
    WHERE m.quality_rank > 1
    """,
]


@dataclass(frozen=True)
class View:
    name: str
    filters: queries.LibraryFilter = field(default_factory=queries.LibraryFilter)
    sort: str = "Title"
    descending: bool = False
    last_page: bool = False


VIEWS = [
    View("all files, by title, page 1"),
    View("all files, by title, last page", last_page=True),
    View("search 's01e02'", queries.LibraryFilter(search="s01e02")),
    View(
        "title 'star' + mkv/mp4 + 4K/1080p",
        queries.LibraryFilter(title="star", formats=["mkv", "mp4"], tiers=["4K", "1080p"]),
    ),
    View("audio language fr", queries.LibraryFilter(languages=["fr"])),
    View("status error", queries.LibraryFilter(statuses=["error"])),
    View("status in a duplicate group", queries.LibraryFilter(statuses=["in a duplicate group"])),
    View("status proposed for staging", queries.LibraryFilter(statuses=["proposed for staging"])),
    View("all files, by size descending", sort="Size", descending=True),
    View(
        "tv, season 2, downloads root",
        queries.LibraryFilter(media_types=["tv"], season=2, roots=["docker"]),
    ),
]
OPTIONS = "filter options (LIBRARY_OPTIONS)"
# Seed 001's search (issue 16): keywords, ratings and full text, on top of the filters above.
SEARCH_VIEWS = [
    View("keyword 'favourite'", queries.LibraryFilter(keywords=["favourite"])),
    View(
        "keywords favourite AND watched",
        queries.LibraryFilter(keywords=["favourite", "watched"], match_all=True),
    ),
    View("auto keyword 'hevc' + 4K", queries.LibraryFilter(keywords=["hevc"], tiers=["4K"])),
    View("rated 4 or more, by rating", queries.LibraryFilter(min_score=4), sort="Rating"),
    View("rejected (-1)", queries.LibraryFilter(max_score=-1)),
    View("full text 'star favourite'", queries.LibraryFilter(search="star favourite")),
    View(
        "full text 'audio:fr 1080p' + mkv",
        queries.LibraryFilter(search="audio:fr 1080p", extensions=["mkv"]),
    ),
]


@dataclass(frozen=True)
class Outcome:
    """One page view: what it showed (to check both ways agree) and what it cost."""

    matched: int
    matched_bytes: int
    page_ids: list[Any]
    transferred_bytes: int


@dataclass(frozen=True)
class Timings:
    milliseconds: dict[str, float]
    outcomes: dict[str, Outcome]
    peak_rss_growth: int


class Reader(Protocol):
    """What a page view needs from data.Library."""

    def frame(
        self, sql: str, params: Mapping[str, Any] | None = None, *, tables: Any = None
    ) -> pl.DataFrame: ...

    def one(
        self, sql: str, params: Mapping[str, Any] | None = None, *, tables: Any = None
    ) -> dict[str, Any]: ...


def build_warehouse(folder: Path, files: int, seed: int) -> Path:
    """Migrate a new warehouse, fill it and publish the snapshot the app reads."""
    warehouse = Warehouse(path=str(folder / "warehouse.duckdb"))
    warehouse.migrate()
    with warehouse.transaction() as con:
        con.execute(GENERATE, {"files": files, "seed": seed, "words": WORDS})
        for sql in INSERTS:
            con.execute(sql, {"seed": seed} if "$seed" in sql else None)
        # The automatic keywords, as the media_curation asset makes them (no person's yet).
        con.register("store_keywords", empty_store_keywords())
        replace_with_query(
            con, "media_keywords", sql_files.query("media_keywords_rows"), {"now": datetime.now()}
        )
    return warehouse.publish_snapshot()


def empty_store_keywords() -> pl.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        return CurationStore(Path(folder) / "empty.sqlite").frames()["keywords"]


def live_curation(reader: Reader) -> dict[str, pl.DataFrame]:
    """A person's ratings (every 20th file) and keywords (every 10th and 30th), as the review
    store would hold them after a few months of use."""
    ids = reader.frame("SELECT id FROM library_browser ORDER BY id")["id"]
    rated = ids.gather_every(20)
    favourite, watched = ids.gather_every(10), ids.gather_every(30, offset=5)
    return {
        "live_scores": pl.DataFrame(
            {"file_id": rated, "score": [(i % 6) or -1 for i in range(len(rated))]},
            schema={"file_id": pl.Int64, "score": pl.Int32},
        ),
        "live_keywords": pl.DataFrame(
            {
                "file_id": pl.concat([favourite, watched, ids.gather_every(10)]),
                "keyword": ["favourite"] * len(favourite)
                + ["watched"] * len(watched)
                + ["watched"] * len(ids.gather_every(10)),
                "keyword_type": "user",
            },
            schema={"file_id": pl.Int64, "keyword": pl.String, "keyword_type": pl.String},
        ),
    }


def open_snapshot(snapshot: Path) -> Library:
    root = LibraryRoot(key="videos", path=snapshot.parent)
    settings = Settings(staging_root=snapshot.parent, library_roots=[root])
    return Library(settings, snapshot)


def ours(reader: Reader, view: View, live: Mapping[str, pl.DataFrame]) -> Outcome:
    """What the Library page runs: the count, then one page, in DuckDB (with the review
    store's ratings and keywords registered, as the page does)."""
    where, params = view.filters.where()
    count_sql, page_sql = queries.library_page(where, view.sort, view.descending)
    matched = reader.one(count_sql, params, tables=live)
    pages = max(1, -(-int(matched["n"]) // PAGE_SIZE))
    offset = (pages - 1) * PAGE_SIZE if view.last_page else 0
    rows = reader.frame(page_sql, {**params, "limit": PAGE_SIZE, "offset": offset}, tables=live)
    transferred = rows.estimated_size() + 16  # and the count row: two integers
    return Outcome(matched["n"], matched["bytes"], rows["file_id"].to_list(), transferred)


def ours_options(reader: Reader) -> Outcome:
    options = reader.one(queries.LIBRARY_OPTIONS)
    values = [options[k] for k in ("formats", "tiers", "languages", "media_types", "roots")]
    return Outcome(0, 0, values, sum(len(str(v)) for v in values))


def naive_conditions(reader: Reader, filters: queries.LibraryFilter) -> list[pl.Expr]:
    """LibraryFilter's conditions written in polars, as an app filtering in memory would."""
    conditions = []
    if filters.search.strip():
        search = filters.search.strip().lower()
        path = pl.col("relative_path").str.to_lowercase()
        conditions.append(path.str.contains(search, literal=True))
    if filters.title.strip():
        title = pl.col("title").fill_null("").str.to_lowercase()
        conditions.append(title.str.contains(filters.title.strip().lower(), literal=True))
    for column, values in (
        ("media_type", filters.media_types),
        ("format", filters.formats),
        ("quality_tier", filters.tiers),
        ("root_key", filters.roots),
    ):
        if values:
            conditions.append(pl.col(column).is_in(list(values)))
    if filters.season is not None:
        conditions.append(pl.col("season_number") == filters.season)
    if filters.languages:
        wanted = list(filters.languages)
        languages = pl.col("audio_languages").list.eval(pl.element().is_in(wanted))
        conditions.append(languages.list.any())
    statuses: dict[str, Callable[[], pl.Expr]] = {
        "healthy": lambda: pl.col("status") == "active",
        "error": lambda: pl.col("status") == "error",
        "in a duplicate group": lambda: pl.col("duplicate_group_id").is_not_null(),
        "proposed for staging": lambda: pl.col("id").is_in(
            reader.frame("SELECT file_id FROM pending_deletions")["file_id"].to_list()
        ),
    }
    if filters.statuses:
        conditions.append(pl.any_horizontal([statuses[s]() for s in filters.statuses]))
    return conditions


def naive(reader: Reader, view: View) -> Outcome:
    """The baseline: every row into polars on every page view, then filter, sort and slice."""
    frame = reader.frame("SELECT * FROM media_files")
    conditions = naive_conditions(reader, view.filters)
    matched = frame.filter(pl.all_horizontal(conditions)) if conditions else frame
    keys = [pl.sql_expr(expr) for expr in queries.LIBRARY_SORTS[view.sort]]
    ordered = matched.sort(
        [*keys, pl.col("id")],
        descending=[view.descending] * len(keys) + [False],
        nulls_last=True,
    )
    pages = max(1, -(-matched.height // PAGE_SIZE))
    offset = (pages - 1) * PAGE_SIZE if view.last_page else 0
    page = ordered.slice(offset, PAGE_SIZE)
    matched_bytes = int(matched["file_size"].sum() or 0)
    return Outcome(matched.height, matched_bytes, page["id"].to_list(), frame.estimated_size())


def naive_options(reader: Reader) -> Outcome:
    frame = reader.frame("SELECT * FROM media_files")
    columns = [
        frame["format"],
        frame["quality_tier"],
        frame["audio_languages"].explode(),
        frame["media_type"],
        frame["root_key"],
    ]
    values = [column.drop_nulls().unique().sort().to_list() for column in columns]
    return Outcome(0, 0, values, frame.estimated_size())


def memory(field: str) -> int:
    """VmRSS (now) or VmHWM (peak since the last reset_peak) of this process, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def reset_peak() -> int:
    """Restart the peak RSS count from the present RSS (Linux), so growth from here is seen
    even below the high-water mark the imports left; returns the present RSS."""
    Path("/proc/self/clear_refs").write_text("5")
    return memory("VmRSS")


def median_ms(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The median wall time of `repeat` runs, and what the first run returned."""
    samples, first = [], None
    for index in range(repeat):
        started = time.perf_counter()
        result = run()
        samples.append((time.perf_counter() - started) * 1000)
        if index == 0:
            first = result
    return statistics.median(samples), first


def time_views(reader: Reader, baseline: bool, repeat: int) -> tuple[dict[str, float], dict]:
    options_view = naive_options if baseline else ours_options
    if baseline:
        runs: list[tuple[str, Callable[[], Outcome]]] = [
            (view.name, partial(naive, reader, view)) for view in VIEWS
        ]
    else:
        live = live_curation(reader)
        runs = [(view.name, partial(ours, reader, view, live)) for view in VIEWS + SEARCH_VIEWS]
    runs.append((OPTIONS, partial(options_view, reader)))
    milliseconds, outcomes = {}, {}
    for name, run in runs:
        milliseconds[name], outcomes[name] = median_ms(run, repeat)
    return milliseconds, outcomes


def run_views(snapshot: Path, baseline: bool, repeat: int) -> Timings:
    """Time every view in this (fresh) process, as the app runs it; the first run of each view
    is kept for checking."""
    library = open_snapshot(snapshot)
    start_rss = reset_peak()
    milliseconds, outcomes = time_views(library, baseline, repeat)
    rss_growth = memory("VmHWM") - start_rss
    return Timings(milliseconds, outcomes, rss_growth)


def in_fresh_process(snapshot: Path, baseline: bool, repeat: int) -> Timings:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(run_views, snapshot, baseline, repeat).result()


def mib(size: float) -> str:
    return f"{size / 2**20:,.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5, help="page views timed per view")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_library_page_") as folder:
        started = time.perf_counter()
        snapshot = build_warehouse(Path(folder), args.files, args.seed)
        built = time.perf_counter() - started
        counts = open_snapshot(snapshot).one(
            "SELECT (SELECT count(*) FROM media_files) AS files, "
            "(SELECT count(*) FROM duplicate_groups) AS groups, "
            "(SELECT count(*) FROM duplicate_members) AS members, "
            "(SELECT count(*) FROM media_files WHERE status = 'error') AS errors"
        )
        print(
            f"{counts['files']:,} files generated (seed {args.seed}) in {built:.1f} s: "
            f"{counts['groups']:,} duplicate groups holding {counts['members']:,} files, "
            f"{counts['errors']:,} with a probe or integrity error; "
            f"warehouse snapshot file {mib(snapshot.stat().st_size)}"
        )
        mine = in_fresh_process(snapshot, baseline=False, repeat=args.repeat)
        theirs = in_fresh_process(snapshot, baseline=True, repeat=args.repeat)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())

    print(
        f"median of {args.repeat} page views each; {os.cpu_count()} CPUs, load average {load} "
        "(other work on the machine slows every figure)\n"
        "ours: what the page runs (count + 50-row page) on the library_browser snapshot table\n"
        "naive: SELECT * FROM media_files into polars per page view, filter/sort/slice there\n"
    )
    header = (
        f"{'view':<36} {'matches':>8} {'ours ms':>8} {'naive ms':>9} {'speed-up':>9}  same page"
    )
    print(header)
    print("-" * len(header))
    disagreements = []
    for name in [view.name for view in VIEWS] + [OPTIONS]:
        a, b = mine.outcomes[name], theirs.outcomes[name]
        same = (a.matched, a.matched_bytes, a.page_ids) == (b.matched, b.matched_bytes, b.page_ids)
        if not same:
            disagreements.append(name)
        matches = f"{a.matched:,}" if name != OPTIONS else ""
        ours_ms, naive_ms = mine.milliseconds[name], theirs.milliseconds[name]
        print(
            f"{name:<36} {matches:>8} {ours_ms:8.1f} {naive_ms:9.1f} {naive_ms / ours_ms:8.1f}x  "
            f"{'yes' if same else 'NO'}"
        )
    total_ours = sum(v for k, v in mine.milliseconds.items() if k in theirs.milliseconds)
    total_naive = sum(theirs.milliseconds.values())
    print("-" * len(header))
    print(
        f"{'all of the above':<36} {'':>8} {total_ours:8.1f} {total_naive:9.1f} "
        f"{total_naive / total_ours:8.1f}x\n"
    )
    print(
        "search (seed 001 keywords, ratings, full text; ours only: the naive way has no "
        "keyword index to compare with)"
    )
    for view in SEARCH_VIEWS:
        a = mine.outcomes[view.name]
        print(f"{view.name:<36} {a.matched:>8,} {mine.milliseconds[view.name]:8.1f}")
    print()
    page_bytes = max(o.transferred_bytes for n, o in mine.outcomes.items() if n != OPTIONS)
    frame_bytes = theirs.outcomes[VIEWS[0].name].transferred_bytes
    print(
        f"out of DuckDB per page view: ours at most {page_bytes / 1024:,.1f} KiB "
        f"(count row + {PAGE_SIZE}-row page), naive {mib(frame_bytes)} "
        f"(all {counts['files']:,} rows, every column): {frame_bytes / page_bytes:,.0f}x more"
    )
    print(
        "peak RSS growth of the process serving the views, over its RSS before the first query: "
        f"ours {mib(mine.peak_rss_growth)}, naive {mib(theirs.peak_rss_growth)}"
    )
    if disagreements:
        print(f"\nWARNING: the two ways showed different pages for: {', '.join(disagreements)}")


if __name__ == "__main__":
    main()
