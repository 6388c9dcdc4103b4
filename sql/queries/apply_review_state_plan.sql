-- Mirror the review store's decisions (registered as `store_decisions`) and the staging
-- journal (file_locations) onto pending_deletions and duplicate_groups, so SQL on the warehouse
-- shows each plan row's review and outcome.
UPDATE pending_deletions AS p SET
    reviewed = d.file_id IS NOT NULL OR p.auto_approved,
    reviewer = d.reviewer,
    reviewed_by = d.user_id,
    reviewed_at = d.decided_at,
    review_notes = d.notes,
    moved_to_temp_at = CASE WHEN l.location IN ('staging', 'deleted') THEN l.staged_at END,
    temp_filepath = coalesce(CASE WHEN l.location IN ('staging', 'deleted') THEN l.staged_path END, p.temp_filepath),
    scheduled_deletion_at = CASE
        WHEN l.location = 'staging' THEN l.staged_at + to_days($retention_days::INTEGER) END,
    deleted_permanently_at = l.deleted_permanently_at,
    final_action = CASE
        WHEN l.location = 'deleted' THEN 'deleted'
        WHEN l.is_reversed THEN 'restored'
        WHEN d.decision = 'keep' THEN 'kept_both'
        ELSE 'pending'
    END
FROM pending_deletions AS p2
LEFT JOIN store_decisions AS d ON d.file_id = p2.file_id
LEFT JOIN file_locations AS l ON l.file_id = p2.file_id
WHERE p.id = p2.id;
