-- A completed restore reverses its archive operation (seed 002's reversal tracking).
UPDATE archive_operations
SET is_reversed = true, reversed_at = $now, reversed_by = $by, updated_at = $now
WHERE id = $id
