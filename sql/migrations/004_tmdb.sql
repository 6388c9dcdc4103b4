-- TMDb enrichment: the response cache, one match per identity, what TMDb says about each title,
-- and from it seed 003's media/genres/people/credits and seed 004's provider_refs.
-- Ids are stable values (see domain/tmdb_matching.py: media_id), never sequences.

CREATE TABLE tmdb_cache (
    request_key VARCHAR PRIMARY KEY,    -- path + sorted query; never holds a credential
    tmdb_id BIGINT,                     -- the title a details/season request is about
    status_code INTEGER NOT NULL,       -- 200, or 404 (a wrong ID tag is not re-asked)
    body JSON,
    fetched_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_tmdb_cache_id ON tmdb_cache(tmdb_id);

-- One row per identity: a movie (title key + year), a show, or one episode of a show.
CREATE TABLE tmdb_matches (
    identity_key VARCHAR PRIMARY KEY,   -- 'movie|parasite|2019', 'tv|red dwarf|', 'tv|red dwarf||s1e2'
    media_type VARCHAR NOT NULL,
    title VARCHAR NOT NULL,             -- as parsed from the names (what was searched for)
    year INTEGER,
    season INTEGER,
    episode INTEGER,
    tmdb_id BIGINT,
    tmdb_type VARCHAR,                  -- 'movie' or 'tv'
    confidence DOUBLE,                  -- 0-1
    status VARCHAR NOT NULL,            -- matched, unmatched, ambiguous, skipped
    reason VARCHAR,
    candidates JSON,                    -- [{tmdb_id, title, original_title, year, popularity, ...}]
    matched_at TIMESTAMP NOT NULL
);

CREATE TABLE tmdb_titles (
    tmdb_id BIGINT NOT NULL,
    tmdb_type VARCHAR NOT NULL,
    media_id BIGINT PRIMARY KEY,        -- seed 003's media.id
    title VARCHAR NOT NULL,
    original_title VARCHAR,
    original_language VARCHAR,          -- ISO 639-1
    spoken_languages VARCHAR[],
    runtime INTEGER,                    -- minutes; shows: the usual episode length
    genres VARCHAR[],
    release_date DATE,                  -- shows: first air date
    year INTEGER,
    overview VARCHAR,
    poster_path VARCHAR,
    vote_average DOUBLE,
    vote_count INTEGER,
    imdb_id VARCHAR,
    popularity DOUBLE,
    fetched_at TIMESTAMP NOT NULL
);

CREATE TABLE tmdb_episodes (
    show_tmdb_id BIGINT NOT NULL,
    season INTEGER NOT NULL,
    episode INTEGER NOT NULL,
    name VARCHAR,
    air_date DATE,
    runtime INTEGER,                    -- minutes
    fetched_at TIMESTAMP NOT NULL,
    PRIMARY KEY (show_tmdb_id, season, episode)
);

-- Per video file: the title it was matched to, and what that says about the file.
CREATE TABLE tmdb_file_matches (
    file_id BIGINT PRIMARY KEY,
    identity_key VARCHAR NOT NULL,
    tmdb_id BIGINT NOT NULL,
    tmdb_type VARCHAR NOT NULL,
    confidence DOUBLE,
    episode_title VARCHAR,              -- TMDb's name(s) of the file's episode(s)
    runtime INTEGER,                    -- minutes the file should run (episodes summed)
    runtime_flag VARCHAR,               -- 'sample' / 'truncated' when far shorter, else NULL
    matched_at TIMESTAMP NOT NULL
);

-- Seed 003 (XILFTEN schema), filled from TMDb.
CREATE TABLE genres (
    id BIGINT PRIMARY KEY,              -- = tmdb_genre_id
    tmdb_genre_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    slug VARCHAR NOT NULL,
    parent_genre_id BIGINT,
    genre_category VARCHAR,
    description VARCHAR,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE media_genres (
    media_id BIGINT NOT NULL,
    genre_id BIGINT NOT NULL,
    weight DECIMAL(3,2) DEFAULT 1.0,
    PRIMARY KEY (media_id, genre_id)
);

CREATE TABLE people (
    id BIGINT PRIMARY KEY,              -- = tmdb_person_id
    tmdb_person_id INTEGER NOT NULL,
    imdb_id VARCHAR,
    name VARCHAR NOT NULL,
    biography VARCHAR,
    birthday DATE,
    deathday DATE,
    known_for_department VARCHAR,
    profile_path VARCHAR,
    overall_rating DECIMAL(3,1),
    total_works INTEGER DEFAULT 0,
    created_at TIMESTAMP DEFAULT current_timestamp,
    updated_at TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE media_credits (
    id BIGINT PRIMARY KEY,
    media_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    credit_type VARCHAR NOT NULL,       -- 'cast', 'crew'
    department VARCHAR,
    job VARCHAR,
    character_name VARCHAR,
    order_position INTEGER,
    created_at TIMESTAMP DEFAULT current_timestamp
);
CREATE INDEX idx_media_credits_media ON media_credits(media_id);

-- Seed 004 (Retrovue schema): a title's ids at other providers (IMDb, TVDB).
CREATE TABLE provider_refs (
    id BIGINT PRIMARY KEY,
    entity_type VARCHAR NOT NULL,       -- 'title'
    entity_id BIGINT NOT NULL,          -- media.id
    provider VARCHAR NOT NULL,          -- 'imdb', 'tvdb'
    provider_key VARCHAR NOT NULL,
    raw JSON,                           -- TMDb's external_ids
    title_id BIGINT,
    episode_id BIGINT,
    asset_id BIGINT
);

-- Seed 003's media table under its column names.
CREATE VIEW media AS
SELECT
    media_id AS id,
    tmdb_id,
    imdb_id,
    title,
    original_title,
    tmdb_type AS media_type,
    release_date,
    runtime,
    overview,
    CAST(vote_average AS DECIMAL(3,1)) AS tmdb_rating,
    vote_count AS tmdb_vote_count,
    popularity AS popularity_score,
    original_language,
    spoken_languages,
    poster_path,
    fetched_at AS last_synced_tmdb
FROM tmdb_titles;
