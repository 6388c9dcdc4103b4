"""The app's SQL on the snapshot, one small named query per question a page asks.

Queries that mention `decisions` or `not_duplicate` need the review store's tables registered
(see review.review_tables). Where staged files are comes from the warehouse's `file_locations`
view over the staging journal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LIBRARY_TOTALS = """
SELECT count(*) AS files, CAST(coalesce(sum(file_size), 0) AS BIGINT) AS bytes,
       count(DISTINCT root_key) AS roots
FROM inventory_files
"""

GROUP_TOTALS = """
SELECT count(*) AS groups, CAST(coalesce(sum(potential_savings), 0) AS BIGINT) AS savings,
       CAST(coalesce(sum(file_count), 0) AS BIGINT) AS files
FROM duplicate_groups
"""

SIZE_BY_TIER = """
SELECT coalesce(p.quality_tier, 'unknown') AS tier, count(*) AS files,
       CAST(sum(i.file_size) AS BIGINT) AS bytes
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
GROUP BY ALL
"""

SAVINGS_BY_CATEGORY = """
SELECT deletion_category AS category, count(*) AS files, CAST(sum(bytes_freed) AS BIGINT) AS bytes
FROM pending_deletions
GROUP BY ALL
ORDER BY bytes DESC
"""

# Cumulative size of today's files by the month (or day) they were written: how the library grew.
LIBRARY_GROWTH = """
WITH added AS (
    SELECT date_trunc($unit, coalesce(file_modified_at, first_seen_at)) AS period,
           sum(file_size) AS bytes
    FROM inventory_files
    GROUP BY ALL
)
SELECT period, CAST(sum(bytes) OVER (ORDER BY period) AS BIGINT) AS library_bytes
FROM added
ORDER BY period
"""

GROWTH_SPAN_DAYS = """
SELECT coalesce(date_diff('day', min(coalesce(file_modified_at, first_seen_at)),
                          max(coalesce(file_modified_at, first_seen_at))), 0) AS days
FROM inventory_files
"""

RECENT_SCANS = """
SELECT scan_started_at AS started, root_key AS root, status, triggered_by,
       duration_seconds, files_found, files_new, files_updated, files_deleted,
       errors_count, error_details, dagster_run_id
FROM scan_history
ORDER BY scan_started_at DESC
LIMIT $limit
"""

ROOT_FILE_COUNTS = """
SELECT root_key, count(*) AS files, CAST(sum(file_size) AS BIGINT) AS bytes,
       max(scanned_at) AS last_scanned
FROM inventory_files
GROUP BY ALL
"""

# One row per proposed file, with where it stands: a decision applies only while the file still
# has the size, mtime and inode it had when the person decided.
PLAN_ROWS = """
SELECT
    d.id AS plan_id,
    d.file_id,
    d.duplicate_group_id AS group_id,
    CASE
        WHEN loc.location = 'deleted' THEN 'purged'
        WHEN loc.location = 'staging' THEN 'staged'
        WHEN loc.location = 'in_progress' THEN 'moving'
        WHEN loc.location = 'needs_attention' THEN 'needs attention'
        WHEN dec.file_id IS NULL AND d.auto_approved THEN 'auto-approved'
        WHEN dec.file_id IS NULL THEN 'awaiting review'
        WHEN dec.file_size <> i.file_size OR dec.mtime_ns <> i.mtime_ns
             OR dec.inode <> i.inode THEN 'changed since decision'
        WHEN dec.decision = 'stage' THEN 'approved'
        ELSE 'kept'
    END AS status,
    d.deletion_category AS category,
    d.decision_confidence AS confidence,
    d.requires_manual_review AS needs_review,
    i.filename,
    i.root_key,
    i.file_size,
    d.bytes_freed,
    CAST(d.quality_difference AS DOUBLE) AS quality_difference,
    d.deletion_reason AS reason,
    k.filename AS kept_filename,
    d.kept_file_id,
    d.original_filepath AS path,
    dec.reviewer,
    dec.decided_at,
    dec.notes
FROM pending_deletions AS d
JOIN inventory_files AS i ON i.file_id = d.file_id
LEFT JOIN inventory_files AS k ON k.file_id = d.kept_file_id
LEFT JOIN decisions AS dec ON dec.file_id = d.file_id
LEFT JOIN file_locations AS loc ON loc.file_id = d.file_id
ORDER BY d.requires_manual_review DESC, d.duplicate_group_id, d.id
"""

STAGED_FILES = """
SELECT
    loc.file_id,
    a.root_key,
    a.relative_path,
    a.file_size,
    loc.staged_at,
    a.reason,
    loc.original_path,
    loc.staged_path
FROM file_locations AS loc
JOIN archive_operations AS a ON a.id = loc.archive_operation_id
WHERE loc.location = 'staging'
ORDER BY loc.staged_at DESC, loc.file_id
"""

STAGING_TOTALS = """
SELECT
    count(*) FILTER (WHERE loc.location = 'staging') AS staged_files,
    CAST(coalesce(sum(a.file_size) FILTER (WHERE loc.location = 'staging'), 0) AS BIGINT)
        AS staged_bytes,
    count(*) FILTER (WHERE loc.location = 'deleted') AS purged_files,
    CAST(coalesce(sum(a.file_size) FILTER (WHERE loc.location = 'deleted'), 0) AS BIGINT)
        AS purged_bytes
FROM file_locations AS loc
JOIN archive_operations AS a ON a.id = loc.archive_operation_id
"""

# Groups with their plan's categories and whether a person has dealt with them: every proposed
# file decided, or the group marked "not a duplicate" (or, with nothing proposed, any decision).
GROUPS = """
WITH plan AS (
    SELECT duplicate_group_id AS group_id,
           list(DISTINCT deletion_category ORDER BY deletion_category) AS categories,
           bool_or(requires_manual_review) AS needs_review,
           count(*) AS proposed
    FROM pending_deletions
    GROUP BY ALL
),
decided AS (
    SELECT m.group_id,
           count(*) FILTER (WHERE p.file_id IS NOT NULL) AS proposed_decided,
           count(*) AS any_decided
    FROM duplicate_members AS m
    JOIN decisions AS dec ON dec.file_id = m.file_id
    LEFT JOIN pending_deletions AS p ON p.file_id = m.file_id
    GROUP BY ALL
)
SELECT
    g.id AS group_id,
    g.show_name AS title,
    g.year,
    g.season_number AS season,
    g.episode_number AS episode,
    g.media_type,
    g.group_type,
    g.confidence_score,
    g.file_count AS files,
    g.total_size,
    g.potential_savings,
    coalesce(p.categories, []) AS categories,
    coalesce(p.needs_review, false) AS needs_review,
    coalesce(p.proposed, 0) AS proposed,
    nd.group_id IS NOT NULL
        OR (coalesce(p.proposed, 0) > 0 AND coalesce(d.proposed_decided, 0) >= p.proposed)
        OR (coalesce(p.proposed, 0) = 0 AND coalesce(d.any_decided, 0) > 0) AS reviewed
FROM duplicate_groups AS g
LEFT JOIN plan AS p ON p.group_id = g.id
LEFT JOIN decided AS d ON d.group_id = g.id
LEFT JOIN not_duplicate AS nd ON nd.group_id = g.id
ORDER BY reviewed, needs_review DESC, g.potential_savings DESC, g.id
"""

GROUP_MEMBERS = """
SELECT
    m.file_id,
    m.quality_rank,
    m.is_primary,
    f.filename,
    f.root_key,
    f.relative_path,
    f.filepath,
    f.file_size,
    f.duration,
    f.format,
    f.video_codec,
    f.audio_codec,
    f.resolution,
    f.width,
    f.height,
    f.bitrate,
    f.framerate,
    f.quality_tier,
    f.hdr_type,
    f.audio_channels,
    f.audio_track_count,
    f.subtitle_track_count,
    f.audio_languages,
    f.subtitle_languages,
    f.has_english_audio,
    f.has_english_subtitles,
    f.is_foreign_film,
    f.edition,
    f.release_group,
    f.quality_score,
    f.link_count,
    coalesce(f.probe_error, f.integrity_error) AS problem,
    i.mtime_ns,
    CAST(i.inode AS BIGINT) AS inode,
    d.id AS plan_id,
    d.deletion_category,
    d.deletion_reason,
    d.decision_confidence,
    d.kept_file_id,
    coalesce(loc.location, 'original') AS location
FROM duplicate_members AS m
JOIN media_files AS f ON f.id = m.file_id
JOIN inventory_files AS i ON i.file_id = m.file_id
LEFT JOIN pending_deletions AS d ON d.file_id = m.file_id
LEFT JOIN file_locations AS loc ON loc.file_id = m.file_id
WHERE m.group_id = $group_id
ORDER BY m.quality_rank, m.file_id
"""

GROUP_KEEP_NOTES = """
SELECT file_id, category, reason
FROM keep_notes
WHERE duplicate_group_id = $group_id
ORDER BY file_id
"""

# Every group a file is in and every member of those groups (for the keep-one guard).
GROUP_MEMBERSHIP = """
SELECT m.group_id, m.file_id, coalesce(q.quality_score, 0) AS quality_score
FROM duplicate_members AS m
LEFT JOIN quality_scores AS q USING (file_id)
WHERE m.group_id IN (
    SELECT group_id FROM duplicate_members WHERE list_contains($file_ids, file_id)
)
"""

SIGNATURES = """
SELECT i.file_id, i.file_size, i.mtime_ns, CAST(i.inode AS BIGINT) AS inode,
       d.id AS plan_id, d.duplicate_group_id AS group_id
FROM inventory_files AS i
LEFT JOIN pending_deletions AS d ON d.file_id = i.file_id
WHERE list_contains($file_ids, i.file_id)
"""

AWAY_FILES = """
SELECT file_id FROM file_locations
WHERE location IN ('staging', 'deleted', 'in_progress', 'needs_attention')
"""

MEDIA_FILE = """
SELECT i.file_id, i.root_key, i.local_path, i.file_size, i.mtime_ns,
       p.format, p.video_codec, p.audio_codec
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
WHERE i.file_id = $file_id
"""

LIBRARY_OPTIONS = """
SELECT
    (SELECT list(DISTINCT format ORDER BY format) FROM file_probes
     WHERE format IS NOT NULL) AS formats,
    (SELECT list(DISTINCT quality_tier ORDER BY quality_tier) FROM file_probes
     WHERE quality_tier IS NOT NULL) AS tiers,
    (SELECT list(DISTINCT lang ORDER BY lang)
     FROM (SELECT unnest(audio_languages) AS lang FROM file_probes)) AS languages,
    (SELECT list(DISTINCT media_type ORDER BY media_type) FROM parsed_names) AS media_types,
    (SELECT list(DISTINCT root_key ORDER BY root_key) FROM inventory_files) AS roots
"""

LIBRARY_COLUMNS = """
    id AS file_id, filename, root_key, relative_path, media_type, title, year,
    season_number AS season, episodes, edition, format, video_codec, audio_codec,
    resolution, quality_tier, hdr_type, duration, file_size, quality_score,
    audio_languages, subtitle_languages, status, duplicate_group_id, file_modified_at,
    coalesce(probe_error, integrity_error) AS problem
"""

# Sort keys a person can pick, mapped to SQL (never a column name from the request).
LIBRARY_SORTS: dict[str, tuple[str, ...]] = {
    "Title": ("title", "season_number", "episode_number", "filename"),
    "File name": ("filename",),
    "Size": ("file_size",),
    "Quality score": ("quality_score",),
    "Resolution": ("width * height",),
    "Modified": ("file_modified_at",),
    "Duration": ("duration",),
}

STATUSES: dict[str, str] = {
    "healthy": "status = 'active'",
    "error": "status = 'error'",
    "in a duplicate group": "duplicate_group_id IS NOT NULL",
    "proposed for staging": "id IN (SELECT file_id FROM pending_deletions)",
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

    def where(self) -> tuple[str, dict[str, object]]:
        """A WHERE clause and its named parameters (values are always bound, never pasted)."""
        clauses: list[str] = []
        params: dict[str, object] = {}
        if self.search.strip():
            clauses.append("contains(lower(relative_path), $search)")
            params["search"] = self.search.strip().lower()
        if self.title.strip():
            clauses.append("contains(lower(coalesce(title, '')), $title)")
            params["title"] = self.title.strip().lower()
        for column, name, values in (
            ("media_type", "media_types", self.media_types),
            ("format", "formats", self.formats),
            ("quality_tier", "tiers", self.tiers),
            ("root_key", "roots", self.roots),
        ):
            if values:
                clauses.append(f"list_contains(${name}, {column})")
                params[name] = list(values)
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
    count_sql = (
        "SELECT count(*) AS n, CAST(coalesce(sum(file_size), 0) AS BIGINT) AS bytes "
        f"FROM media_files {where}"
    )
    page_sql = (
        f"SELECT {LIBRARY_COLUMNS} FROM media_files {where} "
        f"ORDER BY {order}, id LIMIT $limit OFFSET $offset"
    )
    return count_sql, page_sql
