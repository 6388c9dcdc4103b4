-- The review store's seed 003 tables (registered as store_<table>), mirrored under the seed's
-- column names; episode ids come from the catalog, rewatch counts from the watch history.
DELETE FROM user_reviews;
INSERT INTO user_reviews BY NAME
SELECT r.id, r.media_id, CAST(r.rating AS DECIMAL(3,1)) AS rating, r.review_text,
       CAST(r.watched_date AS DATE) AS watched_date,
       greatest(coalesce((
           SELECT count(*) FROM store_watch_history AS w
           WHERE w.media_id = r.media_id AND w.completed = 1
             AND w.season_number IS NOT DISTINCT FROM r.season_number
             AND w.episode_number IS NOT DISTINCT FROM r.episode_number
       ), 0) - 1, 0) AS rewatch_count,
       CAST(r.tags AS JSON) AS tags, CAST(r.created_at AS TIMESTAMP) AS created_at,
       CAST(r.updated_at AS TIMESTAMP) AS updated_at, r.season_number, r.episode_number,
       e.episode_id, r.reviewed_by
FROM store_user_reviews AS r
LEFT JOIN catalog_episodes AS e
    ON e.media_id = r.media_id AND e.season_number = r.season_number
    AND e.episode_number = r.episode_number;

DELETE FROM watch_history;
INSERT INTO watch_history BY NAME
SELECT w.id, w.media_id, CAST(w.watched_at AS TIMESTAMP) AS watched_at, w.watch_duration,
       w.completed = 1 AS completed, w.watch_source, w.watch_context, w.paused_count,
       w.rewind_count, CAST(w.created_at AS TIMESTAMP) AS created_at, w.season_number,
       w.episode_number, e.episode_id, w.watched_by
FROM store_watch_history AS w
LEFT JOIN catalog_episodes AS e
    ON e.media_id = w.media_id AND e.season_number = w.season_number
    AND e.episode_number = w.episode_number;

DELETE FROM calendar_events;
INSERT INTO calendar_events BY NAME
SELECT c.id, c.media_id, c.event_type, CAST(c.event_date AS DATE) AS event_date,
       CAST(c.event_time AS TIME) AS event_time, c.title, c.description, c.location, c.icon,
       c.color, c.reminder_enabled = 1 AS reminder_enabled, c.reminder_minutes,
       c.completed = 1 AS completed, CAST(c.completed_at AS TIMESTAMP) AS completed_at,
       CAST(c.created_at AS TIMESTAMP) AS created_at,
       CAST(c.updated_at AS TIMESTAMP) AS updated_at, c.season_number, c.episode_number,
       e.episode_id, 'user' AS source
FROM store_calendar_events AS c
LEFT JOIN catalog_episodes AS e
    ON e.media_id = c.media_id AND e.season_number = c.season_number
    AND e.episode_number = c.episode_number;
-- Upcoming episodes of the shows on disk, from TMDb's next_episode_to_air.
INSERT INTO calendar_events BY NAME
SELECT CAST(hash('release', t.media_id, t.next_episode_air_date) >> 1 AS BIGINT) AS id,
       t.media_id, 'release' AS event_type, t.next_episode_air_date AS event_date,
       t.title || ' S' || lpad(CAST(t.next_episode_season AS VARCHAR), 2, '0') || 'E'
           || lpad(CAST(t.next_episode_number AS VARCHAR), 2, '0') AS title,
       t.next_episode_name AS description, 'tv' AS icon, false AS completed,
       t.fetched_at AS created_at, t.fetched_at AS updated_at,
       t.next_episode_season AS season_number, t.next_episode_number AS episode_number,
       'tmdb' AS source
FROM tmdb_titles AS t
WHERE t.tmdb_type = 'tv' AND t.next_episode_air_date IS NOT NULL
  AND t.media_id IN (SELECT media_id FROM titles);

DELETE FROM recommendation_criteria;
INSERT INTO recommendation_criteria BY NAME
SELECT id, name, description, CAST(criteria_config AS JSON) AS criteria_config,
       is_default = 1 AS is_default, use_count, CAST(created_at AS TIMESTAMP) AS created_at,
       CAST(updated_at AS TIMESTAMP) AS updated_at
FROM store_recommendation_criteria;

DELETE FROM custom_fields_schema;
INSERT INTO custom_fields_schema BY NAME
SELECT id, field_name, field_label, field_type, CAST(field_options AS JSON) AS field_options,
       field_default_value, is_required = 1 AS is_required,
       CAST(validation_rules AS JSON) AS validation_rules, description, help_text,
       is_active = 1 AS is_active, CAST(created_at AS TIMESTAMP) AS created_at,
       CAST(updated_at AS TIMESTAMP) AS updated_at
FROM store_custom_fields_schema;

DELETE FROM media_custom_fields;
INSERT INTO media_custom_fields BY NAME
SELECT media_id, field_name, CAST(value AS JSON) AS value,
       CAST(updated_at AS TIMESTAMP) AS updated_at
FROM store_media_custom_fields;

-- Seed 003's people scores: the mean rating of their titles in the library (the person's own
-- review where there is one, else TMDb's), over how many titles.
UPDATE people SET overall_rating = s.rating, total_works = s.works
FROM (
    SELECT c.person_id, CAST(avg(coalesce(m.user_rating, m.tmdb_rating)) AS DECIMAL(3,1)) AS rating,
           count(DISTINCT c.media_id) AS works
    FROM media_credits AS c
    JOIN media AS m ON m.id = c.media_id
    GROUP BY c.person_id
) AS s
WHERE people.id = s.person_id;
