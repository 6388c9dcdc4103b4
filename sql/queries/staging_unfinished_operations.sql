-- Operations an interrupted run left behind; recovery finishes or rolls back each one, oldest first.
SELECT * FROM archive_operations
WHERE phase IS NOT NULL AND status IN ('pending', 'in_progress')
ORDER BY id
