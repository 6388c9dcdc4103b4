-- Which of these request keys have an unexpired cached response (keys only: the plan step asks
-- this about every matched title).
SELECT request_key
FROM tmdb_cache
WHERE list_contains($keys::VARCHAR[], request_key) AND expires_at > $now
