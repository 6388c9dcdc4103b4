SELECT
    (SELECT count(*) FROM media_metadata) AS metadata_rows,
    (SELECT count(*) FROM media_keywords) AS keywords,
    (SELECT count(*) FROM media_keywords WHERE keyword_type = 'auto') AS auto_keywords,
    (SELECT count(*) FROM media_keywords WHERE keyword_type <> 'auto') AS user_keywords,
    (SELECT count(*) FROM file_curation WHERE score > 0) AS rated_files,
    (SELECT count(*) FROM file_curation WHERE score = -1) AS rejected_files
