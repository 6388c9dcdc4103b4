-- Matches of identities no file in the library has any more.
DELETE FROM tmdb_matches
WHERE NOT list_contains($keys::VARCHAR[], identity_key)
