-- The root's inventory as of its last scan: what a new scan is compared with.
SELECT file_id, file_size, mtime_ns, inode, first_seen_at
FROM inventory_files
WHERE root_key = $root_key
