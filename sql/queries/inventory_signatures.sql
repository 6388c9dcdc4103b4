-- The root's inventory as of its last scan: what a new scan is compared with (a path scan, by
-- relative_path, only within its folders).
SELECT file_id, relative_path, file_size, mtime_ns, inode, first_seen_at
FROM inventory_files
WHERE root_key = $root_key
