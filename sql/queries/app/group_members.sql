SELECT
    m.file_id,
    m.quality_rank,
    m.is_primary,
    f.filename,
    f.root_key,
    f.relative_path,
    f.filepath,
    f.file_size,
    f.duration,
    f.format,
    f.video_codec,
    f.audio_codec,
    f.resolution,
    f.width,
    f.height,
    f.bitrate,
    f.framerate,
    f.quality_tier,
    f.hdr_type,
    f.audio_channels,
    f.audio_track_count,
    f.subtitle_track_count,
    f.audio_languages,
    f.subtitle_languages,
    f.has_english_audio,
    f.has_english_subtitles,
    f.is_foreign_film,
    f.edition,
    f.release_group,
    f.quality_score,
    f.link_count,
    coalesce(f.probe_error, f.integrity_error) AS problem,
    i.mtime_ns,
    CAST(i.inode AS BIGINT) AS inode,
    d.id AS plan_id,
    d.deletion_category,
    d.deletion_reason,
    d.decision_confidence,
    d.kept_file_id,
    coalesce(loc.location, 'original') AS location
FROM duplicate_members AS m
JOIN media_files AS f ON f.id = m.file_id
JOIN inventory_files AS i ON i.file_id = m.file_id
LEFT JOIN pending_deletions AS d ON d.file_id = m.file_id
LEFT JOIN file_locations AS loc ON loc.file_id = m.file_id
WHERE m.group_id = $group_id
ORDER BY m.quality_rank, m.file_id
