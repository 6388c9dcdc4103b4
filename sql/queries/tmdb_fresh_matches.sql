-- Identities settled (matched, unmatched or ambiguous) within the cache TTL: not looked up
-- again unless a person's manual match differs (tmdb_matching.is_settled) or a match's details
-- are not cached in today's request shape (metadata/assets.py: _with_current_details). Skipped
-- and failed ones are (their cached responses still answer most requests).
SELECT identity_key, status, tmdb_id, tmdb_type, reason
FROM tmdb_matches
WHERE status NOT IN ('skipped', 'failed') AND matched_at > $fresh_after
