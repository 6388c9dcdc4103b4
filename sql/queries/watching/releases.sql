-- Upcoming releases of shows on disk (the mirror's calendar_events from TMDb).
SELECT id, media_id, event_type, event_date, title, description, season_number, episode_number
FROM calendar_events
WHERE source = 'tmdb' AND event_date >= $since
ORDER BY event_date, title
