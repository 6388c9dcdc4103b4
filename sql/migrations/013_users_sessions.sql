-- Seed 002's users and sessions, mirrored from the review app's store (user_store.py) by
-- apply_review_state, and who did what as those users' ids. Password hashes stay in the store.
ALTER TABLE users ADD COLUMN source VARCHAR;               -- 'settings', 'app', 'local'

CREATE TABLE sessions (
    id BIGINT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    jti VARCHAR NOT NULL UNIQUE,
    token_hash VARCHAR NOT NULL,
    ip_address VARCHAR,
    user_agent VARCHAR,
    expires_at TIMESTAMP NOT NULL,
    revoked BOOLEAN DEFAULT false,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP DEFAULT current_timestamp
);

-- A per-row approve or reject is a user decision too: on one plan row's file, which need not
-- belong to a duplicate group (a corrupt or wrong-language file).
ALTER TABLE user_decisions ALTER COLUMN duplicate_group_id DROP NOT NULL;
ALTER TABLE user_decisions ADD COLUMN file_id BIGINT;
ALTER TABLE user_decisions ADD COLUMN plan_id BIGINT;
