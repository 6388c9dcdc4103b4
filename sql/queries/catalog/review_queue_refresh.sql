-- The queue as this scan sees it (registered as incoming_queue): an item keeps the created_at
-- of its first scan; items no scan proposes any more go.
CREATE TEMP TABLE previous_queue AS SELECT item_key, created_at FROM review_queue;
DELETE FROM review_queue;
INSERT INTO review_queue BY NAME
SELECT q.id, q.asset_id, q.reason, q.confidence, q.status,
       coalesce(p.created_at, current_timestamp) AS created_at,
       CAST(q.resolved_at AS TIMESTAMP) AS resolved_at, q.kind, q.item_key, q.subject,
       q.file_signature, q.resolved_by, q.file_count
FROM incoming_queue AS q
LEFT JOIN previous_queue AS p USING (item_key);
DROP TABLE previous_queue;
