-- Seed 003 (XILFTEN) as something to watch: the user-owned tables (reviews, watches, calendar,
-- recommendation presets, custom fields) under the seed's column names, mirrored from the review
-- store on each refresh (defs/library/watching.py); the TMDb facts the seed's `media` still
-- lacked; the genre hierarchy; embeddings for semantic search.
--
-- A review, watch or event points at a title through media_id (= media.id: the TMDb title's id
-- when it has one, else the catalog title's id) and, when it is about one episode, at that
-- episode through season/episode numbers (episode_id when the catalog has it).

-- The catalog's title → seed 003's media.id (see domain/catalog.py: Title.media_id).
ALTER TABLE titles ADD COLUMN media_id BIGINT;

-- TMDb details the seed's media columns come from (tmdb/client.py appends release_dates,
-- content_ratings and videos to the details request).
ALTER TABLE tmdb_titles ADD COLUMN tagline VARCHAR;
ALTER TABLE tmdb_titles ADD COLUMN status VARCHAR;
ALTER TABLE tmdb_titles ADD COLUMN backdrop_path VARCHAR;
ALTER TABLE tmdb_titles ADD COLUMN trailer_url VARCHAR;
ALTER TABLE tmdb_titles ADD COLUMN maturity_rating VARCHAR;      -- US certification
ALTER TABLE tmdb_titles ADD COLUMN recommended_age_min INTEGER;
ALTER TABLE tmdb_titles ADD COLUMN production_countries VARCHAR[]; -- ISO 3166-1
ALTER TABLE tmdb_titles ADD COLUMN next_episode_air_date DATE;   -- shows: next_episode_to_air
ALTER TABLE tmdb_titles ADD COLUMN next_episode_season INTEGER;
ALTER TABLE tmdb_titles ADD COLUMN next_episode_number INTEGER;
ALTER TABLE tmdb_titles ADD COLUMN next_episode_name VARCHAR;

-- Seed 003's taxonomy genres have no TMDb id (film noir, anime demographics...).
ALTER TABLE genres ALTER COLUMN tmdb_genre_id DROP NOT NULL;

CREATE TABLE user_reviews (
    id BIGINT PRIMARY KEY,
    media_id BIGINT NOT NULL,
    rating DECIMAL(3,1) NOT NULL CHECK (rating BETWEEN 0 AND 10),
    review_text VARCHAR,
    watched_date DATE,
    rewatch_count INTEGER DEFAULT 0,
    tags JSON,                          -- ["thought-provoking", "funny"]
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    season_number INTEGER,              -- set when the review is of one episode
    episode_number INTEGER,
    episode_id BIGINT,
    reviewed_by VARCHAR
);
CREATE INDEX idx_user_reviews_media ON user_reviews(media_id);

CREATE TABLE watch_history (
    id BIGINT PRIMARY KEY,
    media_id BIGINT NOT NULL,
    watched_at TIMESTAMP NOT NULL,
    watch_duration INTEGER,             -- minutes watched
    completed BOOLEAN DEFAULT true,
    watch_source VARCHAR,
    watch_context VARCHAR,
    paused_count INTEGER DEFAULT 0,
    rewind_count INTEGER DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    season_number INTEGER,
    episode_number INTEGER,
    episode_id BIGINT,
    watched_by VARCHAR
);
CREATE INDEX idx_watch_history_media ON watch_history(media_id);

CREATE TABLE calendar_events (
    id BIGINT PRIMARY KEY,
    media_id BIGINT,
    event_type VARCHAR NOT NULL CHECK (event_type IN ('watch', 'release', 'review', 'custom')),
    event_date DATE NOT NULL,
    event_time TIME,
    title VARCHAR,
    description VARCHAR,
    location VARCHAR,
    icon VARCHAR,
    color VARCHAR CHECK (color IS NULL OR regexp_full_match(color, '#[0-9A-Fa-f]{6}')),
    reminder_enabled BOOLEAN DEFAULT false,
    reminder_minutes INTEGER,
    completed BOOLEAN DEFAULT false,
    completed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    season_number INTEGER,
    episode_number INTEGER,
    episode_id BIGINT,
    source VARCHAR NOT NULL             -- 'user' (review store) or 'tmdb' (a show's next air date)
);
CREATE INDEX idx_calendar_date_range ON calendar_events(event_date, event_type);

CREATE TABLE recommendation_criteria (
    id BIGINT PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE,
    description VARCHAR,
    criteria_config JSON NOT NULL CHECK (json_valid(criteria_config)),
    is_default BOOLEAN DEFAULT false,
    use_count INTEGER DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE custom_fields_schema (
    id BIGINT PRIMARY KEY,
    field_name VARCHAR NOT NULL UNIQUE CHECK (regexp_full_match(field_name, '[A-Za-z0-9_]+')),
    field_label VARCHAR NOT NULL,
    field_type VARCHAR NOT NULL
        CHECK (field_type IN ('text', 'number', 'boolean', 'select', 'multi-select', 'date')),
    field_options JSON,
    field_default_value VARCHAR,
    is_required BOOLEAN DEFAULT false,
    validation_rules JSON,
    description VARCHAR,
    help_text VARCHAR,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A title's custom field values (media.custom_fields is this, per title, as one JSON object).
CREATE TABLE media_custom_fields (
    media_id BIGINT NOT NULL,
    field_name VARCHAR NOT NULL,
    value JSON NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (media_id, field_name)
);

-- Seed 003's media_embeddings collection, in the warehouse: one vector per title and model.
CREATE TABLE media_embeddings (
    media_id BIGINT NOT NULL,
    embedding_type VARCHAR NOT NULL,    -- 'combined': overview + tagline + genres + reviews + tags
    embedding_model VARCHAR NOT NULL,
    document_hash VARCHAR NOT NULL,     -- the text's hash: unchanged text is not embedded again
    embedding FLOAT[] NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (media_id, embedding_type, embedding_model)
);
