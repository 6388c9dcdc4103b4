-- Staged files whose retention is over: the next purge may delete them (if approved).
SELECT
    loc.file_id,
    CAST(loc.staged_at AS VARCHAR) AS staged_at,
    a.root_key || '/' || a.relative_path AS path,
    a.file_size
FROM file_locations AS loc
JOIN archive_operations AS a ON a.id = loc.archive_operation_id
WHERE loc.location = 'staging'
  AND loc.staged_at <= CAST($now AS TIMESTAMP) - to_days($retention_days::INTEGER)
ORDER BY loc.staged_at, loc.file_id
