SELECT file_id, category, reason
FROM keep_notes
WHERE duplicate_group_id = $group_id
ORDER BY file_id
