-- chat_media_files: one row per video file (seed 002/000 column names); status 'active' or 'error'.
-- tmdb_genres (TMDb's names, e.g. 'Science Fiction', for shows 'Sci-Fi & Fantasy') and tmdb_cast
-- (top-billed actors, in billing order) are those of the TMDb title the file was matched to.
-- score is a person's rating (-1 rejected, 0 unrated, 1-5 stars); keywords are seed 001's, the
-- automatic ones ('4k', 'hdr', 'hevc', 'audio:fr', 'foreign film', genres) and a person's.
CREATE TEMP VIEW chat_media_files AS
SELECT
    f.id,
    f.filename,
    f.filepath,
    f.file_size,
    f.media_type,
    f.show_name,
    f.season_number,
    f.episode_number,
    f.episode_title,
    f.year,
    f.quality_tier,
    f.resolution,
    f.video_codec,
    f.audio_codec,
    f.hdr_type,
    f.bitrate,
    f.duration,
    f.audio_languages,
    f.subtitle_languages,
    f.has_english_audio,
    f.has_english_subtitles,
    f.is_foreign_film,
    f.status,
    f.is_duplicate,
    f.duplicate_group_id,
    f.quality_rank,
    f.quality_score,
    f.edition,
    f.extra_kind,
    f.root_key,
    f.tmdb_title,
    f.tmdb_year,
    f.tmdb_rating,
    f.tmdb_overview,
    f.tmdb_original_language,
    t.genres AS tmdb_genres,
    t.cast_names AS tmdb_cast,
    f.score,
    coalesce(k.keywords, []::VARCHAR[]) AS keywords
FROM media_files AS f
LEFT JOIN tmdb_title_facts AS t ON t.tmdb_id = f.tmdb_id AND t.tmdb_type = f.tmdb_type
LEFT JOIN (
    SELECT media_file_id, list(DISTINCT keyword ORDER BY keyword) AS keywords
    FROM media_keywords GROUP BY media_file_id
) AS k ON k.media_file_id = f.id;
