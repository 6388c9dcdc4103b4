SELECT coalesce(date_diff('day', min(coalesce(file_modified_at, first_seen_at)),
                          max(coalesce(file_modified_at, first_seen_at))), 0) AS days
FROM inventory_files
