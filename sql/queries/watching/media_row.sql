SELECT * FROM media WHERE id = $media_id
