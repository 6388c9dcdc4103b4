SELECT
    count(*) FILTER (WHERE loc.location = 'staging') AS staged_files,
    CAST(coalesce(sum(a.file_size) FILTER (WHERE loc.location = 'staging'), 0) AS BIGINT)
        AS staged_bytes,
    count(*) FILTER (WHERE loc.location = 'deleted') AS purged_files,
    CAST(coalesce(sum(a.file_size) FILTER (WHERE loc.location = 'deleted'), 0) AS BIGINT)
        AS purged_bytes
FROM file_locations AS loc
JOIN archive_operations AS a ON a.id = loc.archive_operation_id
