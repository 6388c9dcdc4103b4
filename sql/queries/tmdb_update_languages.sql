-- Seed 000's language columns recomputed with the title's original language (registered
-- frame language_updates: untagged audio resolved, foreign-film flag).
UPDATE file_probes AS p
SET audio_languages = u.audio_languages,
    has_english_audio = u.has_english_audio,
    has_english_subtitles = u.has_english_subtitles,
    is_foreign_film = u.is_foreign_film
FROM language_updates AS u
WHERE p.file_id = u.file_id
