-- Mirror review decisions and staging outcomes onto duplicate_groups (see apply_review_state_plan.sql).
UPDATE duplicate_groups AS g SET
    reviewed = s.decided > 0,
    reviewed_at = s.last_decided_at,
    reviewer = s.reviewer,
    reviewed_by = s.reviewed_by,
    action_taken = CASE
        WHEN s.staged > 0 THEN 'archive_duplicates'
        WHEN s.decided > 0 AND s.staged = 0 AND s.stage_decisions = 0 THEN 'keep_all'
    END
FROM (
    SELECT m.group_id,
           count(d.file_id) AS decided,
           count(*) FILTER (WHERE d.decision = 'stage') AS stage_decisions,
           count(*) FILTER (WHERE l.location IN ('staging', 'deleted')) AS staged,
           max(d.decided_at) AS last_decided_at,
           max(d.reviewer) AS reviewer,
           arg_max(d.user_id, d.decided_at) AS reviewed_by
    FROM duplicate_members AS m
    LEFT JOIN store_decisions AS d ON d.file_id = m.file_id
    LEFT JOIN file_locations AS l ON l.file_id = m.file_id
    GROUP BY m.group_id
) AS s
WHERE g.id = s.group_id;
