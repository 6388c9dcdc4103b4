-- Library totals for questions the offline router does not know (seed 000's library statistics).
SELECT
    COUNT(*) AS total_files,
    COALESCE(SUM(file_size), 0) AS total_size,
    COUNT(*) FILTER (WHERE media_type = 'movie') AS movie_files,
    COUNT(*) FILTER (WHERE media_type = 'tv') AS tv_files,
    (SELECT COUNT(*) FROM chat_duplicate_groups) AS duplicate_groups,
    (SELECT COUNT(*) FROM chat_pending_deletions) AS pending_deletions
FROM chat_media_files
WHERE status = 'active';
