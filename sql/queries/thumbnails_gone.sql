-- Thumbnails of files that left the library (deleted, staged, no longer a video): cleaned up.
SELECT media_file_id, file_path
FROM media_thumbnails
WHERE media_file_id NOT IN (
    SELECT i.file_id FROM inventory_files AS i JOIN file_probes AS p USING (file_id)
    WHERE p.probe_error IS NULL AND p.width IS NOT NULL
        AND i.file_id NOT IN (SELECT file_id FROM file_locations WHERE location <> 'original')
)
