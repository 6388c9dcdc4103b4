-- Identities a person should look at: no result, several equally good ones, or a failure.
SELECT identity_key, title, year, season, episode, status, reason, CAST(candidates AS VARCHAR) AS candidates
FROM tmdb_matches
WHERE status IN ('unmatched', 'ambiguous', 'failed')
ORDER BY status, identity_key
