-- The root's inventory rows of files whose bytes the staging engine moved (staged, purged, or
-- being moved): they stay in the inventory, so their history and status remain visible.
SELECT i.*
FROM inventory_files AS i
JOIN file_locations AS l USING (file_id)
WHERE i.root_key = $root_key AND l.location <> 'original'
