-- Plan figures for the deletion_plan materialization metadata.
SELECT
    count(*) AS plan_rows,
    count(*) FILTER (WHERE requires_manual_review) AS needs_review,
    count(*) FILTER (WHERE auto_approved) AS auto_approved,
    coalesce(sum(bytes_freed), 0)::BIGINT AS bytes_freed,
    (SELECT to_json(map(list(deletion_category), list(n)))::VARCHAR FROM (
        SELECT deletion_category, count(*) AS n FROM pending_deletions GROUP BY ALL)) AS by_category
FROM pending_deletions
