-- Unexpired cached TMDb responses for these request keys.
SELECT request_key, tmdb_id, status_code, CAST(body AS VARCHAR) AS body, fetched_at, expires_at
FROM tmdb_cache
WHERE list_contains($keys::VARCHAR[], request_key) AND expires_at > $now
