-- Every group member with whether its bytes are still in the library (not staged or purged).
SELECT m.group_id, m.file_id, i.inode, i.device,
       coalesce(l.location, 'original') = 'original' AS present
FROM duplicate_members AS m
JOIN inventory_files AS i USING (file_id)
LEFT JOIN file_locations AS l USING (file_id)
