-- Identities a person should look at: no result, or several equally good ones.
SELECT identity_key, title, year, season, episode, status, reason, CAST(candidates AS VARCHAR) AS candidates
FROM tmdb_matches
WHERE status IN ('unmatched', 'ambiguous')
ORDER BY status, identity_key
