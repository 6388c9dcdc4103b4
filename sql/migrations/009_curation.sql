-- Seed 001's curation tables under its column names. Ratings and a person's keywords are owned
-- by the review store (the app and CLI write them there); each refresh mirrors them here, so SQL
-- and the chat see them. media_files (a view) gains seed 001's columns from file_curation.

CREATE TABLE file_curation (
    media_file_id BIGINT PRIMARY KEY,
    score INTEGER NOT NULL DEFAULT 0,   -- -1 rejected, 0 unrated, 1-5 stars
    rated_by VARCHAR,
    rated_at TIMESTAMP,
    last_accessed TIMESTAMP             -- when a person last rated or tagged it
);

CREATE TABLE media_metadata (
    id BIGINT PRIMARY KEY,
    media_file_id BIGINT NOT NULL,
    width INTEGER,
    height INTEGER,
    duration DOUBLE,                    -- seconds
    frame_rate DOUBLE,
    color_mode VARCHAR,                 -- SDR, HDR10, HDR10+, Dolby Vision, HLG (videos)
    has_alpha BOOLEAN DEFAULT false,
    png_text VARCHAR,                   -- seed 001's AI-image columns; NULL for videos
    workflow_data VARCHAR,
    prompt VARCHAR,
    negative_prompt VARCHAR,
    model_name VARCHAR,
    sampler VARCHAR,
    steps INTEGER,
    cfg_scale DOUBLE,
    seed VARCHAR,
    file_modified_at TIMESTAMP,
    metadata_extracted_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_metadata_media_file ON media_metadata(media_file_id);

CREATE TABLE media_keywords (
    id BIGINT PRIMARY KEY,
    media_file_id BIGINT NOT NULL,
    keyword VARCHAR NOT NULL,
    keyword_type VARCHAR NOT NULL DEFAULT 'user',   -- user, prompt, auto, workflow
    confidence DOUBLE DEFAULT 1.0,
    source VARCHAR,                                 -- probe, name, tmdb; who for user ones
    created_at TIMESTAMP NOT NULL,
    UNIQUE (media_file_id, keyword, keyword_type)
);
CREATE INDEX idx_keyword_search ON media_keywords(keyword);

CREATE TABLE media_thumbnails (
    id BIGINT PRIMARY KEY,
    media_file_id BIGINT NOT NULL,
    thumbnail_size VARCHAR NOT NULL,    -- '160x90', '640x360' (a bounding box)
    thumbnail_data VARCHAR,             -- NULL: the image is at file_path
    mime_type VARCHAR DEFAULT 'image/jpeg',
    file_path VARCHAR,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (media_file_id, thumbnail_size)
);
