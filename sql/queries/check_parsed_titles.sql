-- Videos without a parsed name, or whose parsed title is empty.
SELECT i.filepath AS path,
       CASE WHEN n.file_id IS NULL THEN 'no parsed name' ELSE 'empty title' END AS problem
FROM inventory_files AS i
LEFT JOIN parsed_names AS n USING (file_id)
WHERE n.file_id IS NULL OR trim(coalesce(n.title, '')) = ''
ORDER BY i.filepath
