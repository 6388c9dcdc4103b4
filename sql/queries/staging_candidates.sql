-- What staging needs to know about each file: where it is, what it is, its plan row and group,
-- and where the journal says its bytes are.
SELECT i.file_id, i.root_key, i.relative_path, i.local_path, i.filepath, i.file_size, i.mtime_ns,
       i.inode, i.device, i.sidecars, n.media_type, h.md5_hash,
       p.id AS plan_id, p.deletion_reason, p.auto_approved,
       coalesce(p.duplicate_group_id, m.group_id) AS group_id,
       coalesce(l.location, 'original') AS location
FROM inventory_files AS i
LEFT JOIN parsed_names AS n USING (file_id)
LEFT JOIN file_hashes AS h USING (file_id)
LEFT JOIN pending_deletions AS p USING (file_id)
LEFT JOIN (SELECT file_id, min(group_id) AS group_id FROM duplicate_members GROUP BY file_id) AS m
    USING (file_id)
LEFT JOIN file_locations AS l USING (file_id)
