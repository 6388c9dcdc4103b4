-- The root's files a scan could not read fully: probe, integrity and name-parsing errors
-- (scan_history.error_details, beside the walk's errors).
SELECT i.relative_path AS path,
       concat_ws('; ', p.probe_error, p.integrity_error, n.parse_error) AS error
FROM inventory_files AS i
LEFT JOIN file_probes AS p ON p.file_id = i.file_id
LEFT JOIN parsed_names AS n ON n.file_id = i.file_id
WHERE i.root_key = $root_key
  AND (p.probe_error IS NOT NULL OR p.integrity_error IS NOT NULL OR n.parse_error IS NOT NULL)
ORDER BY i.relative_path
