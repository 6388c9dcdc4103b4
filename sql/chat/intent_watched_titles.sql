-- TMDb ids of the titles seed 003's watch_history has as watched to the end, run only once the
-- warehouse has that table: "what should I watch tonight?" leaves them out.
SELECT DISTINCT m.tmdb_id
FROM watch_history AS w
JOIN media AS m ON m.id = w.media_id
WHERE w.completed AND m.tmdb_id IS NOT NULL;
