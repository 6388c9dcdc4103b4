SELECT i.file_id, i.root_key, i.local_path, i.file_size, i.mtime_ns,
       p.format, p.video_codec, p.audio_codec,
       -- seed 001's thumbnails, made in the background (defs/library/thumbnails.py)
       small.file_path AS thumbnail_small, large.file_path AS thumbnail_large
FROM inventory_files AS i
LEFT JOIN file_probes AS p USING (file_id)
LEFT JOIN media_thumbnails AS small
    ON small.media_file_id = i.file_id AND small.thumbnail_size = '160x90'
LEFT JOIN media_thumbnails AS large
    ON large.media_file_id = i.file_id AND large.thumbnail_size = '640x360'
WHERE i.file_id = $file_id
