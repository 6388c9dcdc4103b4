-- Seed 001's user-owned curation, kept on the review side (writable while a run writes the
-- warehouse) and mirrored into the warehouse's media_keywords / media_files.score by each
-- refresh. curated_files remembers where and what each file was, so a rename is followed.
CREATE TABLE IF NOT EXISTS curated_files (
    file_id INTEGER PRIMARY KEY,
    root_key TEXT NOT NULL,
    relative_path TEXT NOT NULL,
    inode INTEGER NOT NULL,
    file_size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    last_accessed TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS file_ratings (
    file_id INTEGER PRIMARY KEY
        REFERENCES curated_files (file_id) ON UPDATE CASCADE ON DELETE CASCADE,
    score INTEGER NOT NULL CHECK (score BETWEEN -1 AND 5 AND score <> 0),
    rated_by TEXT NOT NULL,
    rated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_file_ratings_score ON file_ratings (score);
CREATE TABLE IF NOT EXISTS user_keywords (
    file_id INTEGER NOT NULL
        REFERENCES curated_files (file_id) ON UPDATE CASCADE ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    keyword_type TEXT NOT NULL DEFAULT 'user' CHECK (keyword_type IN ('user', 'prompt', 'workflow')),
    confidence REAL NOT NULL DEFAULT 1.0,
    source TEXT,
    added_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (file_id, keyword, keyword_type)
);
CREATE INDEX IF NOT EXISTS idx_user_keywords_keyword ON user_keywords (keyword);
