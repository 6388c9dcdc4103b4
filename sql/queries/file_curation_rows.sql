-- The review store's ratings and last looks (registered as store_curated, store_ratings),
-- mirrored for SQL and the chat; media_files.score and last_accessed read this.
-- What the table should hold (media_curation writes only the rows that differ).
SELECT c.file_id AS media_file_id, coalesce(r.score, 0) AS score, r.rated_by,
       CAST(r.rated_at AS TIMESTAMP) AS rated_at,
       CAST(c.last_accessed AS TIMESTAMP) AS last_accessed
FROM store_curated AS c
LEFT JOIN store_ratings AS r USING (file_id)
