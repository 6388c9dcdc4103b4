-- Every duplicate group of the snapshot, named as the app names it, biggest saving first.
SELECT
    id,
    coalesce(show_name, 'unnamed')
        || CASE WHEN season_number IS NOT NULL AND episode_number IS NOT NULL
                THEN printf(' S%02dE%02d', season_number, episode_number) ELSE '' END
        || CASE WHEN year IS NOT NULL AND media_type = 'movie' THEN ' (' || year || ')' ELSE '' END
        AS name,
    coalesce(potential_savings, 0) AS potential_savings
FROM duplicate_groups
ORDER BY potential_savings DESC, id
