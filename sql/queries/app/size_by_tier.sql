SELECT coalesce(p.quality_tier, 'unknown') AS tier, count(*) AS files,
       CAST(sum(i.file_size) AS BIGINT) AS bytes
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
GROUP BY ALL
