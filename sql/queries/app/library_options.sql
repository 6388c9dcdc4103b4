SELECT
    (SELECT list(DISTINCT format ORDER BY format) FROM file_probes
     WHERE format IS NOT NULL) AS formats,
    (SELECT list(DISTINCT quality_tier ORDER BY quality_tier) FROM file_probes
     WHERE quality_tier IS NOT NULL) AS tiers,
    (SELECT list(DISTINCT lang ORDER BY lang)
     FROM (SELECT unnest(audio_languages) AS lang FROM file_probes)) AS languages,
    (SELECT list(DISTINCT media_type ORDER BY media_type) FROM parsed_names) AS media_types,
    (SELECT list(DISTINCT root_key ORDER BY root_key) FROM inventory_files) AS roots
