-- Titles on disk with what recommendation criteria and the search look at.
SELECT
    m.id AS media_id, m.title, m.year, m.media_type, m.maturity_rating,
    CAST(m.tmdb_rating AS DOUBLE) AS rating, m.runtime, m.overview, m.tagline,
    coalesce((
        SELECT list(DISTINCT x) FROM (
            SELECT unnest([g.slug, g.genre_category, p.slug, p.genre_category]) AS x
            FROM media_genres AS mg
            JOIN genres AS g ON g.id = mg.genre_id
            LEFT JOIN genres AS p ON p.id = g.parent_genre_id
            WHERE mg.media_id = m.id
        ) WHERE x IS NOT NULL
    ), []) AS genres,
    coalesce((
        SELECT list(CAST(p.overall_rating AS DOUBLE)) FROM media_credits AS c
        JOIN people AS p ON p.id = c.person_id
        WHERE c.media_id = m.id AND c.job = 'Director' AND p.overall_rating IS NOT NULL
    ), []) AS director_scores,
    coalesce((
        SELECT list(CAST(p.overall_rating AS DOUBLE)) FROM media_credits AS c
        JOIN people AS p ON p.id = c.person_id
        WHERE c.media_id = m.id AND c.job IN ('Screenplay', 'Writer', 'Story')
          AND p.overall_rating IS NOT NULL
    ), []) AS writer_scores
FROM media AS m
WHERE m.on_disk
ORDER BY m.title, m.id
