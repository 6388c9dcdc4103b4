-- Every file of one title, once per episode it holds: seasons and episodes from seed 004's
-- catalog, canonical as the catalog marks it for that episode (a group's kept file, else every
-- primary version), the file's facts from library_browser. Movies have one episode, no numbers.
SELECT
    s.number AS season, e.number AS episode, e.name AS episode_name, e.id AS episode_id,
    ea.canonical, b.id AS file_id, b.filename, b.root_key, b.relative_path, b.file_size,
    b.resolution, b.quality_tier, b.video_codec, b.audio_languages, b.subtitle_languages,
    b.edition, b.extra_kind, b.duplicate_group_id, b.proposed, b.quality_score
FROM episodes AS e
LEFT JOIN seasons AS s ON s.id = e.season_id
JOIN episode_assets AS ea ON ea.episode_id = e.id
JOIN library_browser AS b ON b.id = ea.asset_id
WHERE e.title_id = $title_id
ORDER BY season NULLS FIRST, episode NULLS FIRST, NOT ea.canonical, b.quality_score DESC NULLS LAST,
         b.filename
