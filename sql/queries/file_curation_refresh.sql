-- The review store's ratings and last looks (registered as store_curated, store_ratings),
-- mirrored for SQL and the chat; media_files.score and last_accessed read this.
DELETE FROM file_curation;
INSERT INTO file_curation (media_file_id, score, rated_by, rated_at, last_accessed)
SELECT c.file_id, coalesce(r.score, 0), r.rated_by, CAST(r.rated_at AS TIMESTAMP),
       CAST(c.last_accessed AS TIMESTAMP)
FROM store_curated AS c
LEFT JOIN store_ratings AS r USING (file_id);
