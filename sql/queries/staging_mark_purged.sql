-- A completed purge records when the staged files were deleted for good.
UPDATE archive_operations
SET deleted_permanently_at = $now, updated_at = $now
WHERE id = $id
