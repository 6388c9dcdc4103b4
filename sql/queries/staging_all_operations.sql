-- Every operation the journal holds, oldest first (the doctor looks for left-overs beside them).
SELECT * FROM archive_operations
ORDER BY id
