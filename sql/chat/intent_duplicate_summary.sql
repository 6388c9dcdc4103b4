-- Duplicate groups and what the deletion plan proposes for them, in one row.
SELECT
    (SELECT COUNT(*) FROM chat_duplicate_groups) AS duplicate_groups,
    (SELECT COUNT(*) FROM chat_duplicate_groups WHERE group_type = 'exact') AS exact_groups,
    (SELECT COALESCE(SUM(file_count), 0) FROM chat_duplicate_groups) AS files_in_groups,
    (SELECT COALESCE(SUM(potential_savings), 0) FROM chat_duplicate_groups) AS potential_savings,
    (SELECT COUNT(*) FROM chat_pending_deletions) AS planned_deletions,
    (SELECT COALESCE(SUM(bytes_freed), 0) FROM chat_pending_deletions) AS bytes_freed,
    (SELECT COUNT(*) FROM chat_pending_deletions WHERE requires_manual_review) AS needs_review;
