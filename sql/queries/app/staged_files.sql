SELECT
    loc.file_id,
    a.root_key,
    a.relative_path,
    a.file_size,
    loc.staged_at,
    a.reason,
    loc.original_path,
    loc.staged_path
FROM file_locations AS loc
JOIN archive_operations AS a ON a.id = loc.archive_operation_id
WHERE loc.location = 'staging'
ORDER BY loc.staged_at DESC, loc.file_id
