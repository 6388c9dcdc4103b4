-- What was sent, so each new group, due file or failed run is told once (notifications.py).
CREATE TABLE IF NOT EXISTS notification_log (
    kind TEXT NOT NULL,            -- new_duplicates, purge_due, run_failed
    item TEXT NOT NULL,            -- a group id, a staged file id@staged_at, a run id
    sent_at TEXT NOT NULL,
    delivered INTEGER NOT NULL,    -- 0: the receiver failed; retried on the next evaluation
    error TEXT,
    PRIMARY KEY (kind, item)
);
