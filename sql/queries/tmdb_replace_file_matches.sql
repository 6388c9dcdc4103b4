-- tmdb_file_matches becomes the registered frame file_matches, touching only the rows that
-- differ: a refresh that changes nothing writes nothing (and the snapshot is not re-copied).
DELETE FROM tmdb_file_matches
WHERE file_id NOT IN (
    SELECT file_id FROM (
        SELECT * FROM file_matches
        INTERSECT
        SELECT file_id, identity_key, tmdb_id, tmdb_type, confidence, episode_title, runtime,
               runtime_flag, matched_at
        FROM tmdb_file_matches
    )
);
INSERT INTO tmdb_file_matches BY NAME
SELECT * FROM file_matches WHERE file_id NOT IN (SELECT file_id FROM tmdb_file_matches);
