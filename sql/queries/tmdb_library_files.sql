-- Every parsed video with what TMDb matching and the runtime/language rules need from it.
SELECT
    n.file_id, n.relative_path, n.media_type, n.title, n.title_key, n.year, n.season,
    n.episodes, n.extra_kind, n.part, n.tmdb_id, n.imdb_id, n.tvdb_id,
    p.duration, p.audio_languages, p.subtitle_languages, p.has_english_audio,
    p.has_english_subtitles, p.is_foreign_film, p.probe_error
FROM parsed_names AS n
LEFT JOIN file_probes AS p USING (file_id)
ORDER BY n.file_id
