-- Plan rows still waiting for a person, with the file signature a decision is recorded on.
SELECT p.id AS plan_id, p.duplicate_group_id AS group_id, p.file_id, p.original_filepath AS file,
       p.deletion_category AS category, p.decision_confidence AS confidence,
       p.requires_manual_review, p.auto_approved, p.bytes_freed, p.deletion_reason AS reason,
       i.file_size, i.mtime_ns, i.inode
FROM pending_deletions AS p
JOIN inventory_files AS i USING (file_id)
WHERE p.moved_to_temp_at IS NULL
ORDER BY p.requires_manual_review DESC, p.bytes_freed DESC, p.id
