-- chat_keep_notes: files the plan deliberately keeps although a rule could have proposed them,
-- with the stored reason (foreign film, only English version...).
CREATE TEMP VIEW chat_keep_notes AS
SELECT
    n.file_id,
    n.duplicate_group_id,
    f.show_name AS title,
    f.year,
    f.season_number,
    f.episode_number,
    f.media_type,
    f.filename,
    n.original_filepath,
    n.category,
    n.reason,
    n.audio_languages,
    n.subtitle_languages,
    n.is_foreign_film,
    n.planned_at
FROM keep_notes AS n
LEFT JOIN media_files AS f ON f.id = n.file_id;
