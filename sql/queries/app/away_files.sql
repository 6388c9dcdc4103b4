SELECT file_id FROM file_locations
WHERE location IN ('staging', 'deleted', 'in_progress', 'needs_attention')
