-- Vectors (of any model) of titles no longer on disk (present_titles: the titles on disk).
DELETE FROM media_embeddings
WHERE media_id NOT IN (SELECT media_id FROM present_titles)
