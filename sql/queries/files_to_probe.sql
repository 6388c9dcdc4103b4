-- Inventory rows of one root whose probe is missing or was made on other bytes.
SELECT i.file_id, i.local_path, i.file_size, i.mtime_ns, i.inode, i.sidecars
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
WHERE i.root_key = $root_key
  AND (p.file_id IS NULL OR p.file_size <> i.file_size OR p.mtime_ns <> i.mtime_ns OR p.inode <> i.inode)
ORDER BY i.relative_path
