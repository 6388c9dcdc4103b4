-- Every file as the last refresh saw it, by (root, relative path): where an import lands.
SELECT file_id, root_key, relative_path, CAST(inode AS BIGINT) AS inode, file_size, mtime_ns
FROM inventory_files
