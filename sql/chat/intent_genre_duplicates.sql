-- Titles of a genre (any of $genres, TMDb's genre names) that have duplicate groups, optionally
-- of one media type: one row per TMDb title, the most space held first.
SELECT
    coalesce(tmdb_title, show_name) AS title,
    tmdb_year AS year,
    media_type,
    count(DISTINCT duplicate_group_id) AS duplicate_groups,
    count(*) AS file_count,
    sum(file_size) AS total_size
FROM chat_media_files
WHERE is_duplicate
    AND status = 'active'
    AND list_has_any(tmdb_genres, $genres::VARCHAR[])
    AND ($media_type::VARCHAR IS NULL OR media_type = $media_type::VARCHAR)
GROUP BY coalesce(tmdb_title, show_name), tmdb_year, media_type
ORDER BY total_size DESC, title
LIMIT 20;
