-- Every inventoried file with the hash record of its last run (the cache), across all roots:
-- exact duplicates cross library roots. A file probed again after its hashes were made (a full
-- scan re-reads every file) has no cache, so it is hashed again too.
SELECT i.file_id, i.root_key, i.local_path, i.file_size, i.mtime_ns, i.device, i.inode,
       h.file_size AS cached_size, h.mtime_ns AS cached_mtime_ns, h.inode AS cached_inode,
       h.head_hash, h.tail_hash, h.md5_hash, h.sha256_hash, h.hashed_at
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
LEFT JOIN file_hashes AS h ON h.file_id = i.file_id AND (p.probed_at IS NULL OR h.hashed_at >= p.probed_at)
WHERE i.file_id NOT IN (SELECT file_id FROM file_locations WHERE location <> 'original')
ORDER BY i.file_id
