-- New vectors (registered as new_embeddings) replace their title's vector of that model.
DELETE FROM media_embeddings AS e
WHERE EXISTS (
    SELECT 1 FROM new_embeddings AS n
    WHERE n.media_id = e.media_id AND n.embedding_type = e.embedding_type
      AND n.embedding_model = e.embedding_model
);
INSERT INTO media_embeddings BY NAME SELECT * FROM new_embeddings
