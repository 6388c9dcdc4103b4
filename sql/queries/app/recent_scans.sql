SELECT scan_started_at AS started, root_key AS root, scan_type AS mode,
       array_to_string(nas_paths, ', ') AS scanned, status, triggered_by,
       duration_seconds, files_found, files_new, files_updated, files_deleted,
       errors_count, error_details, dagster_run_id
FROM scan_history
ORDER BY scan_started_at DESC
LIMIT $limit
