-- The titles' stored vectors of one model, for the similar-title search.
SELECT media_id, embedding
FROM media_embeddings
WHERE embedding_type = $embedding_type AND embedding_model = $embedding_model
