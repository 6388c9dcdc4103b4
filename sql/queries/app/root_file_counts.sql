SELECT root_key, count(*) AS files, CAST(sum(file_size) AS BIGINT) AS bytes,
       max(scanned_at) AS last_scanned
FROM inventory_files
GROUP BY ALL
