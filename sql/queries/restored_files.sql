-- Restored files with their group and plan row, for the keep decision a restore records.
SELECT i.file_id, i.local_path, p.id AS plan_id,
       coalesce(p.duplicate_group_id, m.group_id) AS group_id
FROM inventory_files AS i
LEFT JOIN pending_deletions AS p USING (file_id)
LEFT JOIN (SELECT file_id, min(group_id) AS group_id FROM duplicate_members GROUP BY file_id) AS m
    USING (file_id)
WHERE list_contains($file_ids::BIGINT[], i.file_id)
