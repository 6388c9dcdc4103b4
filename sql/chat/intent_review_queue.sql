-- Seed 004's review_queue items still pending (issue 18), run only once the warehouse has it.
SELECT reason, confidence, status, created_at
FROM review_queue
WHERE status = 'pending'
ORDER BY confidence, created_at
LIMIT 10;
