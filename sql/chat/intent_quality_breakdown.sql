-- Active files counted by type and quality tier, best tier first.
SELECT
    media_type,
    quality_tier,
    COUNT(*) AS file_count,
    SUM(file_size) AS total_size
FROM chat_media_files
WHERE status = 'active'
GROUP BY media_type, quality_tier
ORDER BY media_type, list_position(['4K', '1080p', '720p', '480p', 'SD'], quality_tier) NULLS LAST;
