-- A file as the last refresh saw it: what a rating or keyword is attached to.
SELECT file_id, root_key, relative_path, CAST(inode AS BIGINT) AS inode, file_size, mtime_ns
FROM inventory_files
WHERE file_id = $file_id
