-- Seed 003's user-owned data, kept on the review side (writable while a run writes the
-- warehouse) and mirrored into the warehouse's tables of the same names by each refresh.
-- watch_titles remembers what each title was (TMDb id, the parsed names of its files), so the
-- data follows a title whose id changes; deleting a title cascades to all of its data (seed 003).
CREATE TABLE IF NOT EXISTS watch_titles (
    media_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('movie', 'show')),
    name TEXT NOT NULL,
    year INTEGER,
    tmdb_type TEXT,
    tmdb_id INTEGER,
    name_keys TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(name_keys)),
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_reviews (
    id INTEGER PRIMARY KEY,
    media_id INTEGER NOT NULL
        REFERENCES watch_titles (media_id) ON UPDATE CASCADE ON DELETE CASCADE,
    season_number INTEGER,
    episode_number INTEGER,
    rating REAL NOT NULL CHECK (rating BETWEEN 0.0 AND 10.0),
    review_text TEXT,
    watched_date TEXT,
    tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    reviewed_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- One review per title, or per episode (SQLite's UNIQUE would let NULL seasons repeat).
CREATE UNIQUE INDEX IF NOT EXISTS idx_user_reviews_one
    ON user_reviews (media_id, coalesce(season_number, -1), coalesce(episode_number, -1));
CREATE TABLE IF NOT EXISTS watch_history (
    id INTEGER PRIMARY KEY,
    media_id INTEGER NOT NULL
        REFERENCES watch_titles (media_id) ON UPDATE CASCADE ON DELETE CASCADE,
    season_number INTEGER,
    episode_number INTEGER,
    watched_at TEXT NOT NULL,
    watch_duration INTEGER CHECK (watch_duration IS NULL OR watch_duration >= 0),
    completed INTEGER NOT NULL DEFAULT 1 CHECK (completed IN (0, 1)),
    watch_source TEXT,
    watch_context TEXT,
    paused_count INTEGER NOT NULL DEFAULT 0 CHECK (paused_count >= 0),
    rewind_count INTEGER NOT NULL DEFAULT 0 CHECK (rewind_count >= 0),
    watched_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_watch_history_media ON watch_history (media_id, watched_at);
CREATE TABLE IF NOT EXISTS calendar_events (
    id INTEGER PRIMARY KEY,
    media_id INTEGER REFERENCES watch_titles (media_id) ON UPDATE CASCADE ON DELETE CASCADE,
    season_number INTEGER,
    episode_number INTEGER,
    event_type TEXT NOT NULL CHECK (event_type IN ('watch', 'release', 'review', 'custom')),
    event_date TEXT NOT NULL,
    event_time TEXT,
    title TEXT,
    description TEXT,
    location TEXT,
    icon TEXT,
    color TEXT CHECK (color IS NULL OR (length(color) = 7 AND color GLOB '#[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]')),
    reminder_enabled INTEGER NOT NULL DEFAULT 0 CHECK (reminder_enabled IN (0, 1)),
    reminder_minutes INTEGER CHECK (reminder_minutes IS NULL OR reminder_minutes >= 0),
    completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    completed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_calendar_events_date ON calendar_events (event_date, event_type);
CREATE TABLE IF NOT EXISTS recommendation_criteria (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    criteria_config TEXT NOT NULL CHECK (json_valid(criteria_config)),
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    use_count INTEGER NOT NULL DEFAULT 0 CHECK (use_count >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_recommendation_one_default
    ON recommendation_criteria (is_default) WHERE is_default = 1;
CREATE TABLE IF NOT EXISTS custom_fields_schema (
    id INTEGER PRIMARY KEY,
    field_name TEXT NOT NULL UNIQUE
        CHECK (field_name <> '' AND field_name NOT GLOB '*[^A-Za-z0-9_]*'),
    field_label TEXT NOT NULL,
    field_type TEXT NOT NULL
        CHECK (field_type IN ('text', 'number', 'boolean', 'select', 'multi-select', 'date')),
    field_options TEXT CHECK (field_options IS NULL OR json_valid(field_options)),
    field_default_value TEXT,
    is_required INTEGER NOT NULL DEFAULT 0 CHECK (is_required IN (0, 1)),
    validation_rules TEXT CHECK (validation_rules IS NULL OR json_valid(validation_rules)),
    description TEXT,
    help_text TEXT,
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS media_custom_fields (
    media_id INTEGER NOT NULL
        REFERENCES watch_titles (media_id) ON UPDATE CASCADE ON DELETE CASCADE,
    field_name TEXT NOT NULL
        REFERENCES custom_fields_schema (field_name) ON UPDATE CASCADE ON DELETE CASCADE,
    value TEXT NOT NULL CHECK (json_valid(value)),
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (media_id, field_name)
);
-- The plays media servers reported (watch_key: the server's item and its last-played time),
-- each recorded once as the watch watch_id, so a refresh never counts a play twice.
CREATE TABLE IF NOT EXISTS server_watches (
    watch_key TEXT PRIMARY KEY,
    watch_id INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
