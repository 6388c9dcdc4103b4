-- Seed 003's media, one row per title: every title of the catalog (named from its files when
-- TMDb does not know it) and every TMDb title not in it, with the person's rating (their
-- review) and custom fields from the mirrored review store.
CREATE OR REPLACE VIEW media AS
WITH catalog AS (
    SELECT coalesce(t.media_id, t.id) AS media_id, t.id AS title_id, t.kind, t.name, t.year,
           json_extract_string(t.external_ids, '$.imdb') AS imdb_key,
           (
               SELECT min(i.first_seen_at)
               FROM episodes AS e
               JOIN episode_assets AS ea ON ea.episode_id = e.id
               JOIN inventory_files AS i ON i.file_id = ea.asset_id
               WHERE e.title_id = t.id
           ) AS first_seen_at
    FROM titles AS t
),
ratings AS (
    -- The title's own review, else the mean of its episodes' reviews.
    SELECT media_id,
           coalesce(
               max(rating) FILTER (WHERE season_number IS NULL),
               CAST(avg(rating) AS DECIMAL(3,1))
           ) AS user_rating,
           max(updated_at) AS updated_at
    FROM user_reviews
    GROUP BY media_id
),
fields AS (
    SELECT media_id, json_group_object(field_name, value) AS custom_fields,
           max(updated_at) AS updated_at
    FROM media_custom_fields
    GROUP BY media_id
)
SELECT
    coalesce(c.media_id, tt.media_id) AS id,
    tt.tmdb_id,
    coalesce(tt.imdb_id, c.imdb_key) AS imdb_id,
    coalesce(tt.title, c.name) AS title,
    tt.original_title,
    coalesce(tt.tmdb_type, CASE c.kind WHEN 'show' THEN 'tv' ELSE 'movie' END) AS media_type,
    tt.release_date,
    tt.runtime,
    tt.overview,
    tt.tagline,
    CAST(tt.vote_average AS DECIMAL(3,1)) AS tmdb_rating,
    tt.vote_count AS tmdb_vote_count,
    CAST(r.user_rating AS DECIMAL(3,1)) AS user_rating,
    CAST(tt.popularity AS DECIMAL(10,2)) AS popularity_score,
    tt.maturity_rating,
    tt.recommended_age_min,
    CAST(NULL AS INTEGER) AS recommended_age_max,   -- certifications give a minimum age only
    tt.original_language,
    tt.production_countries,     -- a list of ISO codes, like spoken_languages (not JSON text)
    tt.spoken_languages,
    tt.poster_path,
    tt.backdrop_path,
    tt.trailer_url,
    tt.status,
    coalesce(f.custom_fields, '{}'::JSON) AS custom_fields,
    coalesce(c.first_seen_at, tt.fetched_at) AS created_at,
    greatest(tt.fetched_at, r.updated_at, f.updated_at, c.first_seen_at) AS updated_at,
    tt.fetched_at AS last_synced_tmdb,
    -- Beyond the seed: the catalog title, its year, and whether files of it are on disk.
    c.title_id,
    coalesce(tt.year, c.year) AS year,
    c.title_id IS NOT NULL AS on_disk
FROM catalog AS c
FULL OUTER JOIN tmdb_titles AS tt ON tt.media_id = c.media_id
LEFT JOIN ratings AS r ON r.media_id = coalesce(c.media_id, tt.media_id)
LEFT JOIN fields AS f ON f.media_id = coalesce(c.media_id, tt.media_id);
