-- Seed 000 "What's taking up the most space?": active files summed per title
-- ($media_type NULL: movies and shows together).
SELECT
    show_name,
    media_type,
    SUM(file_size) AS total_size,
    COUNT(*) AS file_count
FROM chat_media_files
WHERE ($media_type IS NULL OR media_type = $media_type)
    AND status = 'active'
GROUP BY show_name, media_type
ORDER BY total_size DESC, show_name
LIMIT 10;
