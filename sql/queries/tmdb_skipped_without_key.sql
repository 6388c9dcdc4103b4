-- Identities (and their episodes: "show skipped: ...") already recorded as skipped for want of
-- TMDb credentials: without a key, looking them up again would only record the same skip, and
-- rewrite every title's rows on each refresh.
SELECT identity_key, status, tmdb_id, tmdb_type, reason
FROM tmdb_matches
WHERE status = 'skipped' AND reason IN ($reason, 'show skipped: ' || $reason)
