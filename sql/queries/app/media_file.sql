SELECT i.file_id, i.root_key, i.local_path, i.file_size, i.mtime_ns,
       p.format, p.video_codec, p.audio_codec
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
WHERE i.file_id = $file_id
