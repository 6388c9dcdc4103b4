-- Inventory rows without a probe row (a probe row holds facts or a probe error).
SELECT i.filepath AS path, 'no probe and no probe error' AS problem
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
WHERE p.file_id IS NULL
ORDER BY i.filepath
