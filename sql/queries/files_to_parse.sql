-- Inventory rows of one root without a parsed name (a file id is its path, so a rename is new).
SELECT i.file_id, i.relative_path
FROM inventory_files AS i
LEFT JOIN parsed_names AS n USING (file_id)
WHERE i.root_key = $root_key AND n.file_id IS NULL
ORDER BY i.relative_path
