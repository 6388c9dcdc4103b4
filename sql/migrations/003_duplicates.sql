-- Duplicate groups, members, the deletion plan (seed 000's pending_deletions) and media_files.

CREATE TABLE quality_scores (
    file_id BIGINT PRIMARY KEY,
    quality_score DOUBLE NOT NULL,
    scored_at TIMESTAMP NOT NULL
);

CREATE TABLE duplicate_groups (
    id BIGINT PRIMARY KEY,
    group_type VARCHAR NOT NULL,        -- 'exact', 'fuzzy', 'manual'
    confidence_score DOUBLE,
    show_name VARCHAR,
    season_number INTEGER,
    episode_number INTEGER,
    year INTEGER,
    media_type VARCHAR,
    file_count INTEGER DEFAULT 0,
    total_size BIGINT,
    potential_savings BIGINT,
    reviewed BOOLEAN DEFAULT false,
    reviewed_at TIMESTAMP,
    reviewed_by INTEGER,
    action_taken VARCHAR,               -- 'keep_all', 'archive_duplicates', 'delete_duplicates'
    primary_file_id BIGINT,
    created_at TIMESTAMP DEFAULT current_timestamp,
    updated_at TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE duplicate_members (
    id BIGINT PRIMARY KEY,
    group_id BIGINT NOT NULL,
    file_id BIGINT NOT NULL,
    quality_rank INTEGER,
    is_primary BOOLEAN DEFAULT false,
    quality_score DOUBLE,
    size_rank INTEGER,
    added_at TIMESTAMP DEFAULT current_timestamp,
    UNIQUE (group_id, file_id)
);

CREATE TABLE pending_deletions (
    id BIGINT PRIMARY KEY,
    file_id BIGINT NOT NULL,
    duplicate_group_id BIGINT,
    original_filepath VARCHAR NOT NULL,
    temp_filepath VARCHAR NOT NULL,
    deletion_reason VARCHAR NOT NULL,
    deletion_category VARCHAR,          -- lower_quality, duplicate_exact, duplicate_fuzzy, wrong_language, corrupted
    kept_file_id BIGINT,
    kept_file_quality_score DECIMAL(6,2),
    deleted_file_quality_score DECIMAL(6,2),
    quality_difference DECIMAL(6,2),
    audio_languages VARCHAR[],
    subtitle_languages VARCHAR[],
    has_english_audio BOOLEAN,
    has_english_subtitles BOOLEAN,
    is_foreign_film BOOLEAN DEFAULT false,
    decision_confidence VARCHAR,        -- certain, review_recommended, uncertain
    requires_manual_review BOOLEAN DEFAULT false,
    auto_approved BOOLEAN DEFAULT false,
    bytes_freed BIGINT,
    reviewed BOOLEAN DEFAULT false,
    reviewed_by INTEGER,
    reviewed_at TIMESTAMP,
    review_notes VARCHAR,
    final_action VARCHAR,               -- 'deleted', 'restored', 'kept_both', 'pending'
    deleted_permanently_at TIMESTAMP,
    moved_to_temp_at TIMESTAMP,
    scheduled_deletion_at TIMESTAMP,
    planned_at TIMESTAMP NOT NULL
);

-- Files deliberately kept where a rule could have proposed them (seed 000's foreign_film KEEP
-- reasoning, the only English version, the only available version...).
CREATE TABLE keep_notes (
    id BIGINT PRIMARY KEY,
    file_id BIGINT NOT NULL,
    duplicate_group_id BIGINT,
    original_filepath VARCHAR NOT NULL,
    category VARCHAR NOT NULL,          -- foreign_film, english_audio, only_non_english, other_episodes
    reason VARCHAR NOT NULL,
    audio_languages VARCHAR[],
    subtitle_languages VARCHAR[],
    has_english_audio BOOLEAN,
    has_english_subtitles BOOLEAN,
    is_foreign_film BOOLEAN,
    planned_at TIMESTAMP NOT NULL
);

-- Seed 004's catalog: titles -> seasons -> episodes -> assets; a group reads as several assets
-- of one episode, its kept file canonical.
CREATE TABLE titles (
    id BIGINT PRIMARY KEY,
    kind VARCHAR NOT NULL,              -- 'movie' or 'show'
    name VARCHAR NOT NULL,
    year INTEGER,
    external_ids JSON
);

CREATE TABLE seasons (
    id BIGINT PRIMARY KEY,
    title_id BIGINT NOT NULL,
    number INTEGER NOT NULL
);

CREATE TABLE episodes (
    id BIGINT PRIMARY KEY,
    title_id BIGINT NOT NULL,
    season_id BIGINT,
    number INTEGER,                     -- NULL for movies
    name VARCHAR
);

CREATE TABLE assets (
    id BIGINT PRIMARY KEY,              -- the file id: assets join media_files
    uri VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    duration_ms BIGINT,
    video_codec VARCHAR,
    audio_codec VARCHAR,
    container VARCHAR,
    hash_md5 VARCHAR,
    discovered_at TIMESTAMP,
    canonical BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE episode_assets (
    episode_id BIGINT NOT NULL,
    asset_id BIGINT NOT NULL,
    canonical BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (episode_id, asset_id)
);
