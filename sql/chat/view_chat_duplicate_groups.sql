-- chat_duplicate_groups: one row per group of copies of the same movie or episode.
CREATE TEMP VIEW chat_duplicate_groups AS
SELECT
    id,
    group_type,
    confidence_score,
    show_name,
    season_number,
    episode_number,
    year,
    media_type,
    file_count,
    total_size,
    potential_savings,
    primary_file_id,
    reviewed
FROM duplicate_groups;
