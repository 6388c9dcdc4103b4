SELECT count(*) AS files, CAST(coalesce(sum(file_size), 0) AS BIGINT) AS bytes,
       count(DISTINCT root_key) AS roots
FROM inventory_files
