-- Cumulative size of today's files by the month (or day) they were written: how the library grew.
WITH added AS (
    SELECT date_trunc($unit, coalesce(file_modified_at, first_seen_at)) AS period,
           sum(file_size) AS bytes
    FROM inventory_files
    GROUP BY ALL
)
SELECT period, CAST(sum(bytes) OVER (ORDER BY period) AS BIGINT) AS library_bytes
FROM added
ORDER BY period
