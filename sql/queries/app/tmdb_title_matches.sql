-- The TMDb match of every title (episodes follow their show): what TMDb could not settle first,
-- then the weakest matches; with the matched title and how many files it names.
SELECT
    m.identity_key, m.media_type, m.title, m.year, m.status, m.tmdb_id, m.tmdb_type,
    m.confidence, m.reason, CAST(m.candidates AS VARCHAR) AS candidates,
    t.title AS tmdb_title, t.year AS tmdb_year,
    (SELECT count(*) FROM tmdb_file_matches AS fm WHERE fm.identity_key = m.identity_key) AS files
FROM tmdb_matches AS m
LEFT JOIN tmdb_titles AS t ON t.tmdb_id = m.tmdb_id AND t.tmdb_type = m.tmdb_type
WHERE m.season IS NULL
ORDER BY
    CASE m.status WHEN 'ambiguous' THEN 0 WHEN 'unmatched' THEN 1 WHEN 'failed' THEN 2
        WHEN 'skipped' THEN 3 ELSE 4 END,
    coalesce(m.confidence, 0), m.title, m.identity_key
