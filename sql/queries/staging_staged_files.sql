-- Files that sit in staging now: completed archive operations not restored nor purged.
SELECT * FROM archive_operations
WHERE operation_type = 'archive'
    AND phase IS NOT NULL
    AND status = 'completed'
    AND NOT coalesce(is_reversed, false)
    AND deleted_permanently_at IS NULL
    AND ($file_ids::BIGINT[] IS NULL OR list_contains($file_ids::BIGINT[], file_id))
ORDER BY id
