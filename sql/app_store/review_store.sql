CREATE TABLE IF NOT EXISTS file_decisions (
    file_id INTEGER PRIMARY KEY,
    group_id INTEGER,
    plan_id INTEGER,
    decision TEXT NOT NULL CHECK (decision IN ('stage', 'keep')),
    reviewer TEXT NOT NULL,
    notes TEXT,
    decided_at TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL
);
-- Seed 002's user_decisions: one row per group decision and per approve or reject of a plan row
-- (file_id, plan_id; such a file need not be in a group). user_id is user_store's users.id.
CREATE TABLE IF NOT EXISTS user_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    duplicate_group_id INTEGER,
    file_id INTEGER,
    plan_id INTEGER,
    user_id INTEGER,
    reviewer TEXT NOT NULL,
    action_taken TEXT NOT NULL,
    files_archived TEXT NOT NULL DEFAULT '[]',
    files_deleted TEXT NOT NULL DEFAULT '[]',
    primary_file_id INTEGER,
    notes TEXT,
    confidence TEXT,
    decided_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS not_duplicate_groups (
    group_id INTEGER PRIMARY KEY,
    reviewer TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
-- A person's choice of the TMDb title an identity (tmdb_matches.identity_key) is: it wins over
-- search and ID tags on every refresh until it is cleared.
CREATE TABLE IF NOT EXISTS manual_tmdb_matches (
    identity_key TEXT PRIMARY KEY,
    tmdb_id INTEGER NOT NULL CHECK (tmdb_id > 0),
    reviewer TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
-- A person's answer to a review queue item (seed 004's review_queue), with the signature of its
-- file(s) then: a re-scan keeps it while the files are unchanged, and re-opens the item after.
CREATE TABLE IF NOT EXISTS review_queue_resolutions (
    item_key TEXT PRIMARY KEY,
    file_signature TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('resolved', 'rejected')),
    reviewer TEXT NOT NULL,
    notes TEXT,
    resolved_at TEXT NOT NULL
);
-- Files a person grouped as duplicates (`mediavault group`, the Library page). The next analysis
-- makes each a duplicate group of type 'manual' whose id is group_id (grouping.manual_group_id).
CREATE TABLE IF NOT EXISTS manual_groups (
    group_id INTEGER PRIMARY KEY,
    user_id INTEGER,
    reviewer TEXT NOT NULL,
    notes TEXT,
    created_at TEXT NOT NULL
);
-- A file is in one manual group at most: grouping it again is refused until it is ungrouped.
CREATE TABLE IF NOT EXISTS manual_group_files (
    file_id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES manual_groups(group_id) ON DELETE CASCADE
);
