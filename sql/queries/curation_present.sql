-- Files a renamed file's curation can follow: everything in the library now (signatures), and
-- whether a file is away (staged, mid-move): those keep their id.
SELECT i.file_id, i.root_key, i.relative_path, CAST(i.inode AS BIGINT) AS inode,
       i.file_size, i.mtime_ns,
       coalesce(fl.location NOT IN ('original'), false) AS away
FROM inventory_files AS i
LEFT JOIN file_locations AS fl USING (file_id)
UNION ALL
-- Staged files are no longer inventoried: they are away, never "vanished".
SELECT fl.file_id, NULL, NULL, NULL, NULL, NULL, true
FROM file_locations AS fl
WHERE fl.location <> 'original' AND fl.file_id NOT IN (SELECT file_id FROM inventory_files)
