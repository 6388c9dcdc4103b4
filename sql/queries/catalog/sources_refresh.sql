-- Sources of the kinds a refresh covers (registered as refreshed_kinds: 'filesystem' from the
-- roots, a media server's kind from that server), their collections and path mappings as they
-- are now (incoming_sources, incoming_collections, incoming_mappings): rows no longer there go
-- (rows of other kinds stay), kept rows keep created_at, and updated_at moves only when a row
-- changed.
DELETE FROM path_mappings WHERE id NOT IN (SELECT id FROM incoming_mappings)
    AND collection_id NOT IN (
        SELECT c.id FROM source_collections AS c JOIN sources AS s ON s.id = c.source_id
        WHERE s.kind NOT IN (SELECT kind FROM refreshed_kinds));
DELETE FROM source_collections WHERE id NOT IN (SELECT id FROM incoming_collections)
    AND source_id NOT IN (
        SELECT id FROM sources WHERE kind NOT IN (SELECT kind FROM refreshed_kinds));
DELETE FROM sources WHERE id NOT IN (SELECT id FROM incoming_sources)
    AND kind IN (SELECT kind FROM refreshed_kinds);

UPDATE sources AS s SET name = i.name, kind = i.kind, config = CAST(i.config AS JSON),
    updated_at = current_timestamp
FROM incoming_sources AS i
WHERE s.id = i.id AND (s.name, s.kind, CAST(s.config AS VARCHAR))
    IS DISTINCT FROM (i.name, i.kind, CAST(CAST(i.config AS JSON) AS VARCHAR));
INSERT INTO sources (id, external_id, name, kind, config)
SELECT id, external_id, name, kind, CAST(config AS JSON) FROM incoming_sources
WHERE id NOT IN (SELECT id FROM sources);

UPDATE source_collections AS c SET source_id = i.source_id, name = i.name, enabled = i.enabled,
    config = CAST(i.config AS JSON), root_key = i.root_key, updated_at = current_timestamp
FROM incoming_collections AS i
WHERE c.id = i.id AND (c.source_id, c.name, c.enabled, CAST(c.config AS VARCHAR), c.root_key)
    IS DISTINCT FROM
    (i.source_id, i.name, i.enabled, CAST(CAST(i.config AS JSON) AS VARCHAR), i.root_key);
INSERT INTO source_collections (id, source_id, external_id, name, enabled, config, root_key)
SELECT id, source_id, external_id, name, enabled, CAST(config AS JSON), root_key
FROM incoming_collections
WHERE id NOT IN (SELECT id FROM source_collections);

-- A mapping's id covers all its columns but local_path: a remounted root updates in place.
UPDATE path_mappings AS m SET local_path = i.local_path
FROM incoming_mappings AS i
WHERE m.id = i.id AND m.local_path IS DISTINCT FROM i.local_path;
INSERT INTO path_mappings (id, collection_id, plex_path, local_path, mapping_kind)
SELECT id, collection_id, plex_path, local_path, mapping_kind FROM incoming_mappings
WHERE id NOT IN (SELECT id FROM path_mappings);
