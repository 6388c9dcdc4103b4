-- Matches of identities no file in the library has any more (registered frame
-- present_identities: identity_key of every title and episode in the library).
DELETE FROM tmdb_matches
WHERE identity_key NOT IN (SELECT identity_key FROM present_identities)
