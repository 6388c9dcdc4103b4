-- Inventory rows of one root whose probe is missing or was made on other bytes; for a full scan
-- ($every_file) also every file that looks unchanged, except those the staging engine moved away.
SELECT i.file_id, i.local_path, i.file_size, i.mtime_ns, i.inode, i.sidecars, i.relative_path
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
WHERE i.root_key = $root_key
  AND (p.file_id IS NULL OR p.file_size <> i.file_size OR p.mtime_ns <> i.mtime_ns OR p.inode <> i.inode
       OR ($every_file AND i.file_id NOT IN (SELECT file_id FROM file_locations WHERE location <> 'original')))
ORDER BY i.relative_path
