-- Parsed names of files no longer in the root's inventory.
DELETE FROM parsed_names
WHERE root_key = $root_key
  AND file_id NOT IN (SELECT file_id FROM inventory_files WHERE root_key = $root_key)
