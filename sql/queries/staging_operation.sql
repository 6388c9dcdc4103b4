SELECT * FROM archive_operations WHERE id = $id
