-- "What did I rate 5 stars?": titles the owner rated (seed 001's media_files.score, 1-5 stars):
-- exactly $stars, or 4 and 5 (favourites) when $stars is NULL; one row per title.
SELECT
    coalesce(tmdb_title, show_name) AS title,
    coalesce(tmdb_year, year) AS year,
    media_type,
    max(score) AS stars,
    count(*) AS file_count
FROM chat_media_files
WHERE status = 'active'
    AND (($stars::INTEGER IS NULL AND score >= 4) OR score = $stars::INTEGER)
GROUP BY coalesce(tmdb_title, show_name), coalesce(tmdb_year, year), media_type
ORDER BY stars DESC, title
LIMIT 20;
