-- A scan_history row's outcome: completed by the scan's last step, failed or cancelled when its
-- run did not finish (the failure hook, or the next scan for a run that was killed).
UPDATE scan_history SET
    status = $status,
    scan_completed_at = coalesce(scan_completed_at, CAST($now AS TIMESTAMP)),
    duration_seconds = CAST(date_diff('second', scan_started_at, CAST($now AS TIMESTAMP)) AS INTEGER),
    error_details = coalesce($error_details, error_details),
    errors_count = coalesce($errors_count, errors_count)
WHERE dagster_run_id = $run_id AND root_key = $root_key AND status = 'running'
