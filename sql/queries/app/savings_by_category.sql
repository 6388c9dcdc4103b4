SELECT deletion_category AS category, count(*) AS files, CAST(sum(bytes_freed) AS BIGINT) AS bytes
FROM pending_deletions
GROUP BY ALL
ORDER BY bytes DESC
