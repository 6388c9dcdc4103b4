-- Every group member with where it is and whether its bytes are still in the library (not
-- staged or purged); staging checks a keeper on disk against these facts before it moves a copy.
SELECT m.group_id, m.file_id, i.local_path, i.file_size, i.mtime_ns, i.inode, i.device,
       coalesce(l.location, 'original') = 'original' AS present
FROM duplicate_members AS m
JOIN inventory_files AS i USING (file_id)
LEFT JOIN file_locations AS l USING (file_id)
