-- "What should I watch tonight?": active movies the owner has not rejected (score -1), the plan
-- does not delete and ($watched, TMDb ids) were not watched yet; their own stars first, then
-- TMDb's vote average; the best copy's quality tier.
SELECT
    coalesce(tmdb_title, show_name) AS title,
    coalesce(tmdb_year, year) AS year,
    max(score) AS stars,
    max(tmdb_rating) AS tmdb_rating,
    arg_max(quality_tier, quality_score) AS quality_tier
FROM media_files
WHERE media_type = 'movie'
    AND status = 'active'
    AND score >= 0
    AND extra_kind IS NULL
    AND id NOT IN (SELECT file_id FROM pending_deletions)
    AND NOT coalesce(list_contains($watched::BIGINT[], tmdb_id::BIGINT), false)
GROUP BY coalesce(tmdb_title, show_name), coalesce(tmdb_year, year)
ORDER BY stars DESC, tmdb_rating DESC NULLS LAST, title
LIMIT 5;
