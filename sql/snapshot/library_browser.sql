-- The library browser's rows, made once per published snapshot: the app filters, sorts and pages
-- this plain table instead of re-joining the eight tables behind media_files on every page view.
-- The tmdb_* columns are the matched TMDb title's (the identity key is what a manual match is
-- stored under). search_text is what the Library's full-text search matches (with a person's
-- keywords, which come live from the review store); auto_keywords are seed 001's 'auto' ones.
-- catalog_title_id is the file's title in seed 004's catalog (every episode of a multi-episode
-- file belongs to one title), what the Library groups by and the title page shows.
CREATE OR REPLACE TABLE library_browser AS
SELECT
    f.id, f.filename, f.root_key, f.relative_path, f.media_type, f.title, f.year, f.season_number,
    f.episode_number, f.episodes, f.edition, f.format, f.video_codec, f.audio_codec, f.resolution,
    f.width, f.height, f.quality_tier, f.hdr_type, f.duration, f.file_size, f.quality_score,
    f.audio_languages, f.subtitle_languages, f.status, f.duplicate_group_id, f.file_modified_at,
    f.id IN (SELECT file_id FROM pending_deletions) AS proposed,
    coalesce(f.probe_error, f.integrity_error) AS problem,
    f.tmdb_id, f.tmdb_type, f.tmdb_title, f.tmdb_year, f.tmdb_original_language, f.tmdb_overview,
    f.tmdb_rating, f.tmdb_poster_path, t.genres AS tmdb_genres, t.cast_names AS tmdb_cast,
    fm.confidence AS tmdb_confidence, fm.identity_key AS tmdb_identity_key,
    f.extension, coalesce(k.auto_keywords, []::VARCHAR[]) AS auto_keywords,
    f.extra_kind, c.title_id AS catalog_title_id, ct.name AS catalog_title,
    lower(concat_ws(' ', f.relative_path, f.title, f.tmdb_title, f.episode_title,
                    array_to_string(k.auto_keywords, ' '))) AS search_text
FROM media_files AS f
LEFT JOIN tmdb_file_matches AS fm ON fm.file_id = f.id
LEFT JOIN tmdb_title_facts AS t ON t.tmdb_id = f.tmdb_id AND t.tmdb_type = f.tmdb_type
LEFT JOIN (
    SELECT media_file_id, list(keyword ORDER BY keyword) AS auto_keywords
    FROM media_keywords WHERE keyword_type = 'auto' GROUP BY media_file_id
) AS k ON k.media_file_id = f.id
LEFT JOIN (
    SELECT ea.asset_id, any_value(e.title_id) AS title_id
    FROM episode_assets AS ea JOIN episodes AS e ON e.id = ea.episode_id GROUP BY ea.asset_id
) AS c ON c.asset_id = f.id
LEFT JOIN titles AS ct ON ct.id = c.title_id;
