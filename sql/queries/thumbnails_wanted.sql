-- Videos in the library (probed, with a picture, not staged) and the thumbnail files recorded for
-- them: the thumbnails asset makes what is missing or was made for an older version of the file.
SELECT i.file_id, i.local_path, i.file_size, i.mtime_ns,
       coalesce(list(t.file_path ORDER BY t.file_path)
                FILTER (WHERE t.file_path IS NOT NULL), []) AS recorded
FROM inventory_files AS i
JOIN file_probes AS p USING (file_id)
LEFT JOIN media_thumbnails AS t ON t.media_file_id = i.file_id
WHERE p.probe_error IS NULL AND p.width IS NOT NULL
    AND i.file_id NOT IN (SELECT file_id FROM file_locations WHERE location <> 'original')
GROUP BY ALL
