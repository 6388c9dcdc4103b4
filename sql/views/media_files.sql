-- Seed 002's media_files with seed 000's language columns, under the seeds' column names.
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
    n.tmdb_id,
    CAST(NULL AS VARCHAR) AS tmdb_type,
    CAST(NULL AS VARCHAR) AS tmdb_title,
    CAST(NULL AS INTEGER) AS tmdb_year,
    CAST(NULL AS VARCHAR) AS tmdb_overview,
    CAST(NULL AS VARCHAR) AS tmdb_poster_path,
    CAST(NULL AS DECIMAL(3,1)) AS tmdb_rating,
    CAST(NULL AS TIMESTAMP) AS tmdb_fetched_at,
    n.imdb_id AS omdb_id,
    CAST(NULL AS JSON) AS omdb_data,
    false AS omdb_fetched,
    CAST(NULL AS TIMESTAMP) AS omdb_last_attempt,
    CASE
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
    p.integrity_error
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
LEFT JOIN file_hashes AS h USING (file_id)
LEFT JOIN parsed_names AS n USING (file_id)
LEFT JOIN quality_scores AS q USING (file_id)
LEFT JOIN (
    SELECT file_id, min(group_id) AS group_id, min(quality_rank) AS quality_rank
    FROM duplicate_members GROUP BY file_id
) AS m USING (file_id);
