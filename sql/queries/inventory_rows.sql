-- The root's inventory rows as they are: what a path scan keeps outside its folders.
SELECT * FROM inventory_files WHERE root_key = $root_key
