-- The duplicate groups that would free the most space.
SELECT
    show_name,
    season_number,
    episode_number,
    year,
    group_type,
    file_count,
    potential_savings
FROM chat_duplicate_groups
ORDER BY potential_savings DESC, show_name
LIMIT 10;
