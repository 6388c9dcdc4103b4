-- Seed 002's media_files with seed 000's language columns and seed 001's curation columns,
-- under the seeds' column names.
CREATE OR REPLACE VIEW media_files AS
SELECT
    i.file_id AS id,
    i.filename,
    i.filepath,
    i.file_size,
    h.md5_hash,
    p.duration,
    p.format,
    p.video_codec,
    p.audio_codec,
    CASE WHEN p.width IS NOT NULL THEN p.width || 'x' || p.height END AS resolution,
    p.width,
    p.height,
    p.bitrate,
    p.framerate,
    p.quality_tier,
    p.hdr_type,
    p.audio_channels,
    p.audio_track_count,
    p.subtitle_track_count,
    n.media_type,
    n.title AS show_name,
    n.season AS season_number,
    n.episodes[1] AS episode_number,
    n.episode_title,
    n.year,
    n.release_group,
    coalesce(fm.tmdb_id, n.tmdb_id) AS tmdb_id,
    fm.tmdb_type,
    t.title AS tmdb_title,
    t.year AS tmdb_year,
    t.overview AS tmdb_overview,
    t.poster_path AS tmdb_poster_path,
    CAST(t.vote_average AS DECIMAL(3,1)) AS tmdb_rating,
    t.fetched_at AS tmdb_fetched_at,
    n.imdb_id AS omdb_id,
    CAST(NULL AS JSON) AS omdb_data,
    false AS omdb_fetched,
    CAST(NULL AS TIMESTAMP) AS omdb_last_attempt,
    CASE
        WHEN fl.location = 'staging' THEN 'archived'
        WHEN fl.location = 'deleted' THEN 'deleted'
        WHEN fl.location IN ('in_progress', 'needs_attention') THEN fl.location
        WHEN p.probe_error IS NOT NULL OR p.integrity_error IS NOT NULL THEN 'error'
        ELSE 'active'
    END AS status,
    m.group_id IS NOT NULL AS is_duplicate,
    m.group_id AS duplicate_group_id,
    m.quality_rank,
    i.file_created_at,
    i.file_modified_at,
    i.scanned_at,
    i.scanned_at AS last_verified_at,
    i.first_seen_at AS created_at,
    greatest(i.scanned_at, p.probed_at) AS updated_at,
    p.audio_languages,
    p.subtitle_languages,
    coalesce(p.has_english_audio, false) AS has_english_audio,
    coalesce(p.has_english_subtitles, false) AS has_english_subtitles,
    coalesce(p.is_foreign_film, false) AS is_foreign_film,
    p.language_detected_at,
    -- MediaVault's own columns
    i.root_key,
    i.relative_path,
    i.local_path,
    i.link_count,
    n.title,
    n.episodes,
    n.edition,
    n.part,
    n.extra_kind,
    q.quality_score,
    p.probe_error,
    p.integrity_error,
    fl.staged_path,
    fl.staged_at,
    t.original_language AS tmdb_original_language,
    fm.runtime AS tmdb_runtime,
    fm.runtime_flag AS tmdb_runtime_flag,
    fm.episode_title AS tmdb_episode_title,
    fm.confidence AS tmdb_match_confidence,
    -- Seed 001's columns (score and last_accessed from the review store, as of the refresh)
    regexp_replace(i.filepath, '/[^/]*$', '') AS directory,
    i.extension,
    'video' AS file_type,
    coalesce(c.score, 0) AS score,
    c.last_accessed
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
LEFT JOIN file_hashes AS h USING (file_id)
LEFT JOIN parsed_names AS n USING (file_id)
LEFT JOIN quality_scores AS q USING (file_id)
LEFT JOIN (
    SELECT file_id, min(group_id) AS group_id, min(quality_rank) AS quality_rank
    FROM duplicate_members GROUP BY file_id
) AS m USING (file_id)
LEFT JOIN file_locations AS fl USING (file_id)
LEFT JOIN tmdb_file_matches AS fm USING (file_id)
LEFT JOIN tmdb_titles AS t ON t.tmdb_id = fm.tmdb_id AND t.tmdb_type = fm.tmdb_type
LEFT JOIN file_curation AS c ON c.media_file_id = i.file_id;
