-- Queue items about no catalog asset, or answered without who and when.
SELECT q.item_key, q.status, q.asset_id
FROM review_queue AS q
LEFT JOIN assets AS a ON a.id = q.asset_id
WHERE a.id IS NULL
   OR (q.status <> 'pending' AND (q.resolved_by IS NULL OR q.resolved_at IS NULL))
ORDER BY q.item_key
