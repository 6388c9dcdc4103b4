-- The library's titles as the watching store knows them (domain/watching.py: TitleRef): id,
-- TMDb title, and the parsed names of their files (how data follows a title whose id changes).
SELECT
    m.id AS media_id,
    CASE m.media_type WHEN 'tv' THEN 'show' ELSE 'movie' END AS kind,
    m.title AS name,
    m.year,
    CASE WHEN m.tmdb_id IS NOT NULL THEN m.media_type END AS tmdb_type,
    m.tmdb_id,
    (
        SELECT list(DISTINCT n.media_type || '|' || n.title_key || '|'
                    || coalesce(CAST(n.year AS VARCHAR), ''))
        FROM episodes AS e
        JOIN episode_assets AS ea ON ea.episode_id = e.id
        JOIN parsed_names AS n ON n.file_id = ea.asset_id
        WHERE e.title_id = m.title_id
    ) AS name_keys
FROM media AS m
WHERE m.on_disk
ORDER BY m.title, m.year, m.id
