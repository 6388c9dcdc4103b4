SELECT
    (SELECT count(*) FROM user_reviews) AS reviews,
    (SELECT count(*) FROM watch_history) AS watches,
    (SELECT count(*) FROM calendar_events WHERE source = 'user') AS user_events,
    (SELECT count(*) FROM calendar_events WHERE source = 'tmdb') AS release_events,
    (SELECT count(*) FROM recommendation_criteria) AS presets,
    (SELECT count(*) FROM custom_fields_schema) AS custom_fields,
    (SELECT count(*) FROM genres WHERE parent_genre_id IS NOT NULL) AS sub_genres
