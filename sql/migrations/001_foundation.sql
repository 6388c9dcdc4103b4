-- Foundation: library roots, the raw inventory, scan history and the seeds' decision tables.
-- Ids are stable 63-bit values derived from content keys (see domain/model.py), never sequences,
-- so decisions stay attached to files across rescans.

CREATE TABLE library_roots (
    root_key VARCHAR PRIMARY KEY,
    path VARCHAR NOT NULL,
    nas_path VARCHAR,
    media_type_hint VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE inventory_files (
    file_id BIGINT PRIMARY KEY,
    root_key VARCHAR NOT NULL,
    relative_path VARCHAR NOT NULL,
    filepath VARCHAR NOT NULL,          -- path as the NAS shows it
    local_path VARCHAR NOT NULL,        -- path as mounted where runs execute
    filename VARCHAR NOT NULL,
    extension VARCHAR NOT NULL,
    file_size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    file_modified_at TIMESTAMP,
    file_created_at TIMESTAMP,
    device UBIGINT NOT NULL,
    inode UBIGINT NOT NULL,
    link_count INTEGER NOT NULL,
    sidecars JSON,                      -- [{"relative_path", "kind", "language"}]
    first_seen_at TIMESTAMP NOT NULL,
    scanned_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_inventory_root ON inventory_files(root_key);

CREATE TABLE scan_history (
    id BIGINT PRIMARY KEY,
    root_key VARCHAR NOT NULL,
    scan_type VARCHAR,                  -- 'full', 'incremental', 'path'
    nas_paths VARCHAR[],
    scan_started_at TIMESTAMP NOT NULL,
    scan_completed_at TIMESTAMP,
    duration_seconds INTEGER,
    files_found INTEGER DEFAULT 0,
    files_new INTEGER DEFAULT 0,
    files_updated INTEGER DEFAULT 0,
    files_deleted INTEGER DEFAULT 0,
    errors_count INTEGER DEFAULT 0,
    error_details JSON,                 -- [{"path", "error"}]
    status VARCHAR DEFAULT 'running',   -- running, completed, failed, cancelled
    triggered_by VARCHAR,               -- 'manual', 'scheduled', 'api', 'demo'
    user_id INTEGER,
    dagster_run_id VARCHAR,
    created_at TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE archive_operations (
    id BIGINT PRIMARY KEY,
    file_id BIGINT NOT NULL,
    duplicate_group_id BIGINT,
    operation_type VARCHAR,             -- 'archive', 'restore', 'delete'
    source_path VARCHAR NOT NULL,
    destination_path VARCHAR,
    status VARCHAR DEFAULT 'pending',   -- pending, in_progress, completed, failed
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    error_message VARCHAR,
    is_reversed BOOLEAN DEFAULT false,
    reversed_at TIMESTAMP,
    reversed_by INTEGER,
    triggered_by INTEGER,
    created_at TIMESTAMP DEFAULT current_timestamp
);

-- Mirror of the review app's decisions (the app owns the source of truth; see DESIGN.md).
CREATE TABLE user_decisions (
    id BIGINT PRIMARY KEY,
    duplicate_group_id BIGINT NOT NULL,
    user_id INTEGER,
    action_taken VARCHAR,               -- 'archive_file', 'delete_file', 'keep_all', 'mark_not_duplicate'
    files_archived BIGINT[],
    files_deleted BIGINT[],
    primary_file_id BIGINT,
    notes VARCHAR,
    confidence VARCHAR,
    decided_at TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username VARCHAR UNIQUE NOT NULL,
    email VARCHAR,
    hashed_password VARCHAR,
    is_active BOOLEAN DEFAULT true,
    is_superuser BOOLEAN DEFAULT false,
    must_change_password BOOLEAN DEFAULT false,
    last_login TIMESTAMP,
    created_at TIMESTAMP DEFAULT current_timestamp,
    updated_at TIMESTAMP DEFAULT current_timestamp
);

-- Seed 002's nas_config, derived from the settings file (credentials never stored).
CREATE VIEW nas_config AS
SELECT
    row_number() OVER (ORDER BY root_key) AS id,
    root_key AS nas_name,
    '127.0.0.1' AS nas_host,
    'mount' AS nas_type,
    path AS mount_path,
    [coalesce(nas_path, path)] AS scan_paths,
    true AS is_active,
    updated_at
FROM library_roots;
