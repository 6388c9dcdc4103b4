-- The library browser's rows, made once per published snapshot: the app filters, sorts and pages
-- this plain table instead of re-joining the eight tables behind media_files on every page view.
CREATE OR REPLACE TABLE library_browser AS
SELECT
    id, filename, root_key, relative_path, media_type, title, year, season_number,
    episode_number, episodes, edition, format, video_codec, audio_codec, resolution, width,
    height, quality_tier, hdr_type, duration, file_size, quality_score, audio_languages,
    subtitle_languages, status, duplicate_group_id, file_modified_at,
    id IN (SELECT file_id FROM pending_deletions) AS proposed,
    coalesce(probe_error, integrity_error) AS problem
FROM media_files;
