-- Seed 000 "What duplicates should I review manually?" / "what is waiting for review?": the
-- plan's rows awaiting a person's review, the closest calls first, with how many there are.
SELECT
    title,
    filename,
    deletion_category,
    decision_confidence,
    quality_difference,
    deletion_reason,
    count(*) OVER () AS awaiting
FROM chat_pending_deletions
WHERE requires_manual_review = true
ORDER BY quality_difference ASC
LIMIT 10;
