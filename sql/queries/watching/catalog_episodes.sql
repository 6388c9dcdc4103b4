-- The catalog's numbered episodes by title media id (what an episode's review points at).
SELECT coalesce(t.media_id, t.id) AS media_id, s.number AS season_number,
       e.number AS episode_number, e.id AS episode_id
FROM episodes AS e
JOIN seasons AS s ON s.id = e.season_id
JOIN titles AS t ON t.id = e.title_id
WHERE e.number IS NOT NULL
