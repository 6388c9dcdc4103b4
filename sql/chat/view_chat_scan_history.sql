-- chat_scan_history: one row per scan of a library root.
CREATE TEMP VIEW chat_scan_history AS
SELECT
    root_key,
    scan_type,
    scan_started_at,
    scan_completed_at,
    duration_seconds,
    files_found,
    files_new,
    files_updated,
    files_deleted,
    errors_count,
    status,
    triggered_by
FROM scan_history;
