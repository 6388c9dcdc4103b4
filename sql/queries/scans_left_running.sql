-- scan_history rows of other runs still marked running (their run may have died).
SELECT DISTINCT dagster_run_id, root_key FROM scan_history
WHERE status = 'running' AND dagster_run_id <> $run_id
