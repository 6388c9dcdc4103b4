-- The members of one duplicate group with their current file signatures.
SELECT m.group_id, m.file_id, m.is_primary, m.quality_rank, i.filepath, i.file_size, i.mtime_ns,
       i.inode, p.id AS plan_id
FROM duplicate_members AS m
JOIN inventory_files AS i USING (file_id)
LEFT JOIN pending_deletions AS p ON p.file_id = m.file_id AND p.duplicate_group_id = m.group_id
WHERE m.group_id = $group_id
ORDER BY m.quality_rank, m.file_id
