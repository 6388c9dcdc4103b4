-- The best-scored files, for the quality_scores materialization metadata.
SELECT m.filename, m.quality_tier, m.video_codec, m.bitrate, m.audio_channels, q.quality_score
FROM quality_scores AS q
JOIN media_files AS m ON m.id = q.file_id
ORDER BY q.quality_score DESC
LIMIT 10
