-- Identities settled (matched, unmatched or ambiguous) within the cache TTL: not looked up
-- again. Skipped and failed ones are (their cached responses still answer most requests).
SELECT identity_key
FROM tmdb_matches
WHERE status NOT IN ('skipped', 'failed') AND matched_at > $fresh_after
