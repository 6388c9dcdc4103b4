-- One page of the library browser; {where} is LibraryFilter.where(), {order} a LIBRARY_SORTS
-- entry; the live_library placeholder is app/live_library.sql. Only the rows on screen leave
-- DuckDB.
{live_library}
SELECT
    id AS file_id, filename, root_key, relative_path, media_type, title, year,
    season_number AS season, episodes, edition, format, video_codec, audio_codec,
    resolution, quality_tier, hdr_type, duration, file_size, quality_score,
    audio_languages, subtitle_languages, status, duplicate_group_id, file_modified_at, problem,
    tmdb_id, tmdb_type, tmdb_title, tmdb_year, tmdb_original_language, tmdb_overview,
    tmdb_rating, tmdb_poster_path, tmdb_genres, tmdb_cast, tmdb_confidence, tmdb_identity_key,
    extension, score, user_keywords, auto_keywords, catalog_title_id
FROM library
{where}
ORDER BY {order}, id
LIMIT $limit OFFSET $offset
