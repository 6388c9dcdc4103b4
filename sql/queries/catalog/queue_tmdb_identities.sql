-- TMDb titles a person should match by hand: no result, or several equally good ones.
SELECT identity_key, status, title, year, reason, coalesce(confidence, 0.0) AS confidence
FROM tmdb_matches
WHERE status IN ('unmatched', 'ambiguous') AND season IS NULL AND episode IS NULL
ORDER BY identity_key
