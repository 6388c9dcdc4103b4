-- The chapter markers of some files (seed 004's markers, kind 'chapter'), in start order.
SELECT asset_id AS file_id, CAST(payload ->> 'number' AS INTEGER) AS number, start_ms, label
FROM markers
WHERE kind = 'chapter' AND list_contains($file_ids, asset_id)
ORDER BY asset_id, start_ms
