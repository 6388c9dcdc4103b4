-- The review queue as the last scan left it, with each item's file.
SELECT q.id, q.item_key, q.kind, q.subject, q.asset_id, q.reason, q.confidence, q.status,
       q.file_signature, q.file_count, q.resolved_by, q.created_at, a.uri AS file
FROM review_queue AS q
LEFT JOIN assets AS a ON a.id = q.asset_id
ORDER BY q.kind, q.item_key
