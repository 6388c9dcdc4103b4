-- chat_pending_deletions: the deletion plan, one row per file proposed for staging, with the
-- plan's stored deletion_reason, the file it would delete and the copy it keeps.
CREATE TEMP VIEW chat_pending_deletions AS
SELECT
    d.id,
    d.file_id,
    d.duplicate_group_id,
    f.show_name AS title,
    f.year,
    f.season_number,
    f.episode_number,
    f.media_type,
    f.filename,
    d.original_filepath,
    d.deletion_reason,
    d.deletion_category,
    d.kept_file_id,
    k.filepath AS kept_filepath,
    d.kept_file_quality_score,
    d.deleted_file_quality_score,
    d.quality_difference,
    d.audio_languages,
    d.subtitle_languages,
    d.has_english_audio,
    d.has_english_subtitles,
    d.is_foreign_film,
    d.decision_confidence,
    d.requires_manual_review,
    d.auto_approved,
    d.bytes_freed,
    d.final_action,
    d.planned_at
FROM pending_deletions AS d
LEFT JOIN media_files AS f ON f.id = d.file_id
LEFT JOIN media_files AS k ON k.id = d.kept_file_id;
