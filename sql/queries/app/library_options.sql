SELECT
    (SELECT list(DISTINCT format ORDER BY format) FROM file_probes
     WHERE format IS NOT NULL) AS formats,
    (SELECT list(DISTINCT quality_tier ORDER BY quality_tier) FROM file_probes
     WHERE quality_tier IS NOT NULL) AS tiers,
    (SELECT list(DISTINCT lang ORDER BY lang)
     FROM (SELECT unnest(audio_languages) AS lang FROM file_probes)) AS languages,
    (SELECT list(DISTINCT media_type ORDER BY media_type) FROM parsed_names) AS media_types,
    (SELECT list(DISTINCT root_key ORDER BY root_key) FROM inventory_files) AS roots,
    (SELECT list(DISTINCT extension ORDER BY extension) FROM inventory_files) AS extensions,
    (SELECT list(keyword ORDER BY files DESC, keyword) FROM (
        SELECT keyword, count(*) AS files FROM media_keywords WHERE keyword_type = 'auto'
        GROUP BY keyword)) AS auto_keywords
