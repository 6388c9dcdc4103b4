-- What each title's stored vector of one model was made of: its document's hash.
SELECT media_id, document_hash
FROM media_embeddings
WHERE embedding_type = $embedding_type AND embedding_model = $embedding_model
