SELECT i.file_id, i.file_size, i.mtime_ns, CAST(i.inode AS BIGINT) AS inode,
       d.id AS plan_id, d.duplicate_group_id AS group_id
FROM inventory_files AS i
LEFT JOIN pending_deletions AS d ON d.file_id = i.file_id
WHERE list_contains($file_ids, i.file_id)
