-- Seed 000 "How many 4K movies do I have?": active files of a type and quality tier
-- (either may be NULL: any).
SELECT COUNT(*) AS file_count
FROM chat_media_files
WHERE ($media_type IS NULL OR media_type = $media_type)
    AND ($quality_tier IS NULL OR quality_tier = $quality_tier)
    AND status = 'active';
