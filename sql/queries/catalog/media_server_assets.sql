-- Each catalog asset's links to its episodes, with the path this machine sees its file at
-- (media server items are matched to assets by their mapped path).
SELECT a.id AS asset_id, i.local_path, ea.episode_id, t.id AS title_id,
       coalesce(t.media_id, t.id) AS media_id, t.kind AS title_kind,
       s.number AS season, e.number AS episode
FROM assets AS a
JOIN inventory_files AS i ON i.file_id = a.id
JOIN episode_assets AS ea ON ea.asset_id = a.id
JOIN episodes AS e ON e.id = ea.episode_id
JOIN titles AS t ON t.id = e.title_id
LEFT JOIN seasons AS s ON s.id = e.season_id
ORDER BY a.id, ea.episode_id
