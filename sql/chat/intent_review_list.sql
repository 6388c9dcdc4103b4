-- Seed 000 "What duplicates should I review manually?".
SELECT
    title,
    filename,
    deletion_category,
    decision_confidence,
    quality_difference,
    deletion_reason
FROM chat_pending_deletions
WHERE requires_manual_review = true
ORDER BY quality_difference ASC
LIMIT 10;
