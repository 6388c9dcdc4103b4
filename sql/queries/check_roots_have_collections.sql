-- Inventoried roots that no source collection holds (the catalog could not say where they live).
SELECT DISTINCT i.root_key
FROM inventory_files AS i
LEFT JOIN source_collections AS c ON c.root_key = i.root_key
WHERE c.id IS NULL
ORDER BY i.root_key
