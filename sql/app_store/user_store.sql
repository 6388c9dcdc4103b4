-- Seed 002's users and sessions, in the review app's own store (the app writes them; the
-- warehouse gets a copy through apply_review_state, without the password hashes).
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    email TEXT,
    hashed_password TEXT,                -- NULL for the local user of a loopback app: no sign-in
    is_active INTEGER NOT NULL DEFAULT 1,
    is_superuser INTEGER NOT NULL DEFAULT 0,  -- the admin flag: may edit settings and users
    must_change_password INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL CHECK (source IN ('settings', 'app', 'local')),
    last_login TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- One row per sign-in; jti is the random id media tokens name (seed 002's JWT ID).
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    jti TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL,
    ip_address TEXT,
    user_agent TEXT,
    expires_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    revoked_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_sessions_user ON sessions(user_id);
