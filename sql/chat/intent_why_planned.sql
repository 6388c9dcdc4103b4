-- Seed 000 "Why did you suggest deleting Inception (2010)?": the plan's stored reasons for a
-- title ($pattern: a LIKE pattern with '\' as escape), both deletions and deliberate keeps.
SELECT
    'planned for deletion' AS decision,
    title,
    year,
    filename,
    deletion_category AS category,
    decision_confidence,
    requires_manual_review,
    deletion_reason AS reason
FROM chat_pending_deletions
WHERE (strip_accents(lower(title)) LIKE $pattern ESCAPE '\'
        OR strip_accents(lower(filename)) LIKE $pattern ESCAPE '\')
    AND ($year IS NULL OR year = $year)
UNION ALL
SELECT
    'kept' AS decision,
    title,
    year,
    filename,
    category,
    NULL AS decision_confidence,
    false AS requires_manual_review,
    reason
FROM chat_keep_notes
WHERE (strip_accents(lower(title)) LIKE $pattern ESCAPE '\'
        OR strip_accents(lower(filename)) LIKE $pattern ESCAPE '\')
    AND ($year IS NULL OR year = $year)
ORDER BY decision DESC, filename;
