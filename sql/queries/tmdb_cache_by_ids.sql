-- Unexpired cached details and season responses about these titles.
SELECT request_key, tmdb_id, status_code, CAST(body AS VARCHAR) AS body, fetched_at, expires_at
FROM tmdb_cache
WHERE list_contains($ids::BIGINT[], tmdb_id) AND expires_at > $now
