-- One row per proposed file, with where it stands: a decision applies only while the file still
-- has the size, mtime and inode it had when the person decided.
SELECT
    d.id AS plan_id,
    d.file_id,
    d.duplicate_group_id AS group_id,
    CASE
        WHEN loc.location = 'deleted' THEN 'purged'
        WHEN loc.location = 'staging' THEN 'staged'
        WHEN loc.location = 'in_progress' THEN 'moving'
        WHEN loc.location = 'needs_attention' THEN 'needs attention'
        WHEN dec.file_id IS NULL AND d.auto_approved THEN 'auto-approved'
        WHEN dec.file_id IS NULL THEN 'awaiting review'
        WHEN dec.file_size <> i.file_size OR dec.mtime_ns <> i.mtime_ns
             OR dec.inode <> i.inode THEN 'changed since decision'
        WHEN dec.decision = 'stage' THEN 'approved'
        ELSE 'kept'
    END AS status,
    d.deletion_category AS category,
    d.decision_confidence AS confidence,
    d.requires_manual_review AS needs_review,
    i.filename,
    i.root_key,
    i.file_size,
    d.bytes_freed,
    CAST(d.quality_difference AS DOUBLE) AS quality_difference,
    d.deletion_reason AS reason,
    k.filename AS kept_filename,
    d.kept_file_id,
    d.original_filepath AS path,
    dec.reviewer,
    dec.decided_at,
    dec.notes
FROM pending_deletions AS d
JOIN inventory_files AS i ON i.file_id = d.file_id
LEFT JOIN inventory_files AS k ON k.file_id = d.kept_file_id
LEFT JOIN decisions AS dec ON dec.file_id = d.file_id
LEFT JOIN file_locations AS loc ON loc.file_id = d.file_id
ORDER BY d.requires_manual_review DESC, d.duplicate_group_id, d.id
