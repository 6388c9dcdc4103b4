-- Files with a full MD5 although no other physical file (device + inode) has their size.
WITH physical AS (
    SELECT file_size, count(DISTINCT (device, inode)) AS copies
    FROM inventory_files GROUP BY file_size
)
SELECT i.filepath AS path, 'fully hashed though its size is unique' AS problem
FROM file_hashes AS h
JOIN inventory_files AS i USING (file_id)
JOIN physical AS s ON s.file_size = i.file_size
WHERE h.md5_hash IS NOT NULL AND s.copies < 2
ORDER BY i.filepath
