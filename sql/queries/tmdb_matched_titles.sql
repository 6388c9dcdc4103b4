-- Title-level matches with the facts the per-file rules use.
SELECT
    m.identity_key, m.tmdb_id, m.tmdb_type, m.confidence, m.matched_at,
    t.original_language, t.runtime
FROM tmdb_matches AS m
JOIN tmdb_titles AS t ON t.tmdb_id = m.tmdb_id AND t.tmdb_type = m.tmdb_type
WHERE m.status = 'matched' AND m.season IS NULL
