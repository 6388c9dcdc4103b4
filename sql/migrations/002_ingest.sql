-- Ingest: probes, hashes and parsed names per file, and seed 002's media_files as a view.

CREATE TABLE file_probes (
    file_id BIGINT PRIMARY KEY,
    root_key VARCHAR NOT NULL,
    file_size BIGINT NOT NULL,          -- signature the probe was made on
    mtime_ns BIGINT NOT NULL,
    inode UBIGINT NOT NULL,
    duration DOUBLE,
    format VARCHAR,
    video_codec VARCHAR,
    audio_codec VARCHAR,
    width INTEGER,
    height INTEGER,
    bitrate INTEGER,                    -- kbps
    bitrate_estimated BOOLEAN,
    framerate DOUBLE,
    quality_tier VARCHAR,
    hdr_type VARCHAR,
    audio_channels DOUBLE,
    audio_track_count INTEGER,
    subtitle_track_count INTEGER,
    audio_languages VARCHAR[],          -- embedded, ISO 639-1, 'und' when untagged
    subtitle_languages VARCHAR[],       -- embedded and sidecar, ISO 639-1
    embedded_subtitle_languages VARCHAR[],
    has_english_audio BOOLEAN,
    has_english_subtitles BOOLEAN,
    is_foreign_film BOOLEAN,
    language_detected_at TIMESTAMP,
    integrity_error VARCHAR,
    probe_error VARCHAR,
    probed_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_probes_root ON file_probes(root_key);

CREATE TABLE file_hashes (
    file_id BIGINT PRIMARY KEY,
    root_key VARCHAR NOT NULL,
    file_size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    inode UBIGINT NOT NULL,
    head_hash VARCHAR,
    tail_hash VARCHAR,
    md5_hash VARCHAR,
    hash_error VARCHAR,
    hashed_at TIMESTAMP NOT NULL
);

CREATE TABLE parsed_names (
    file_id BIGINT PRIMARY KEY,
    root_key VARCHAR NOT NULL,
    relative_path VARCHAR NOT NULL,     -- what was parsed; a rename means a new file id anyway
    media_type VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    title_key VARCHAR NOT NULL,
    year INTEGER,
    season INTEGER,
    episodes INTEGER[],
    episode_title VARCHAR,
    edition VARCHAR,
    is_3d BOOLEAN,
    part INTEGER,
    extra_kind VARCHAR,
    release_group VARCHAR,
    screen_size VARCHAR,
    tmdb_id BIGINT,
    imdb_id VARCHAR,
    tvdb_id BIGINT,
    parse_error VARCHAR,
    parsed_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_parsed_root ON parsed_names(root_key);
