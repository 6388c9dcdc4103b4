-- Groups with their plan's categories and whether a person has dealt with them: every proposed
-- file decided, or the group marked "not a duplicate" (or, with nothing proposed, any decision).
WITH plan AS (
    SELECT duplicate_group_id AS group_id,
           list(DISTINCT deletion_category ORDER BY deletion_category) AS categories,
           bool_or(requires_manual_review) AS needs_review,
           count(*) AS proposed
    FROM pending_deletions
    GROUP BY ALL
),
decided AS (
    SELECT m.group_id,
           count(*) FILTER (WHERE p.file_id IS NOT NULL) AS proposed_decided,
           count(*) AS any_decided
    FROM duplicate_members AS m
    JOIN decisions AS dec ON dec.file_id = m.file_id
    LEFT JOIN pending_deletions AS p ON p.file_id = m.file_id
    GROUP BY ALL
)
SELECT
    g.id AS group_id,
    g.show_name AS title,
    g.year,
    g.season_number AS season,
    g.episode_number AS episode,
    g.media_type,
    g.group_type,
    g.confidence_score,
    g.file_count AS files,
    g.total_size,
    g.potential_savings,
    coalesce(p.categories, []) AS categories,
    coalesce(p.needs_review, false) AS needs_review,
    coalesce(p.proposed, 0) AS proposed,
    nd.group_id IS NOT NULL
        OR (coalesce(p.proposed, 0) > 0 AND coalesce(d.proposed_decided, 0) >= p.proposed)
        OR (coalesce(p.proposed, 0) = 0 AND coalesce(d.any_decided, 0) > 0) AS reviewed
FROM duplicate_groups AS g
LEFT JOIN plan AS p ON p.group_id = g.id
LEFT JOIN decided AS d ON d.group_id = g.id
LEFT JOIN not_duplicate AS nd ON nd.group_id = g.id
ORDER BY reviewed, needs_review DESC, g.potential_savings DESC, g.id
