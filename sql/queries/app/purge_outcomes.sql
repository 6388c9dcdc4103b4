-- What the purge journal says of these files: their delete operations (newest first).
SELECT file_id, status, completed_at, triggered_by, root_key || '/' || relative_path AS path
FROM archive_operations
WHERE operation_type = 'delete' AND list_contains($file_ids, file_id)
ORDER BY id DESC
