-- Every group a file is in and every member of those groups (for the keep-one guard).
SELECT m.group_id, m.file_id, coalesce(q.quality_score, 0) AS quality_score
FROM duplicate_members AS m
LEFT JOIN quality_scores AS q USING (file_id)
WHERE m.group_id IN (
    SELECT group_id FROM duplicate_members WHERE list_contains($file_ids, file_id)
)
