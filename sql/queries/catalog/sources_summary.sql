-- Figures for the library_sources materialization.
SELECT
    (SELECT count(*) FROM sources) AS sources,
    (SELECT count(*) FROM source_collections) AS collections,
    (SELECT count(*) FROM path_mappings) AS path_mappings
