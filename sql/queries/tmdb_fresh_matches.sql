-- Identities settled (matched, unmatched or ambiguous) within the cache TTL: not asked again.
SELECT identity_key
FROM tmdb_matches
WHERE status <> 'skipped' AND matched_at > $fresh_after
