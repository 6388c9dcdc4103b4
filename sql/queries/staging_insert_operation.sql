-- Journal a new staging operation; ids are allocated here (one writer: the staging lock).
INSERT INTO archive_operations (
    id, file_id, duplicate_group_id, operation_type, source_path, destination_path, status,
    started_at, completed_at, error_message, created_at, updated_at,
    plan_id, parent_operation_id, root_key, media_type, relative_path, staging_root, method, phase,
    file_size, source_mtime_ns, source_inode, md5_hash, manifest_path, sidecars, reason,
    triggered_by
)
SELECT
    coalesce(max(id), 0) + 1, $file_id, $duplicate_group_id, $operation_type, $source_path,
    $destination_path, $status,
    CASE WHEN $status = 'in_progress' THEN $now END,
    CASE WHEN $status IN ('completed', 'failed') THEN $now END,
    $error_message, $now, $now,
    $plan_id, $parent_operation_id, $root_key, $media_type, $relative_path, $staging_root, $method,
    $phase, $file_size, $source_mtime_ns, $source_inode, $md5_hash, $manifest_path, $sidecars,
    $reason, $triggered_by
FROM archive_operations
RETURNING id, created_at, started_at, completed_at
