SELECT count(*) AS groups, CAST(coalesce(sum(potential_savings), 0) AS BIGINT) AS savings,
       CAST(coalesce(sum(file_count), 0) AS BIGINT) AS files
FROM duplicate_groups
