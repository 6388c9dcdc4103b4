-- A title's files on disk with their quality (the title page).
SELECT DISTINCT mf.id AS file_id, mf.filepath, mf.file_size, mf.resolution, mf.quality_tier,
       mf.video_codec, mf.audio_codec, ea.canonical, s.number AS season_number,
       e.number AS episode_number
FROM titles AS t
JOIN episodes AS e ON e.title_id = t.id
LEFT JOIN seasons AS s ON s.id = e.season_id
JOIN episode_assets AS ea ON ea.episode_id = e.id
JOIN media_files AS mf ON mf.id = ea.asset_id
WHERE coalesce(t.media_id, t.id) = $media_id
ORDER BY s.number NULLS FIRST, e.number NULLS FIRST, mf.filepath
