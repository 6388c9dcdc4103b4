-- Seed 004's remaining tables (Retrovue schema): where files come from (sources, their
-- collections and path mappings), markers on assets, the one review queue, and provider_refs
-- keyed by the catalog's own titles/episodes/assets. Ids are stable BIGINTs (model.stable_id).

CREATE TABLE sources (
    id BIGINT PRIMARY KEY,
    external_id VARCHAR NOT NULL UNIQUE, -- 'filesystem:<host>'; later 'plex:<machine id>'...
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,              -- 'filesystem'; later 'plex', 'jellyfin'
    config JSON,
    created_at TIMESTAMP DEFAULT current_timestamp,
    updated_at TIMESTAMP DEFAULT current_timestamp
);

-- A library root is a collection of its filesystem source (several roots, one NAS).
CREATE TABLE source_collections (
    id BIGINT PRIMARY KEY,
    source_id BIGINT NOT NULL,
    external_id VARCHAR NOT NULL,       -- the root's key
    name VARCHAR NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT false,
    config JSON,                        -- {"path", "media_type", "nas_path"}
    created_at TIMESTAMP DEFAULT current_timestamp,
    updated_at TIMESTAMP DEFAULT current_timestamp,
    root_key VARCHAR,                   -- inventory_files.root_key of a filesystem collection
    UNIQUE (source_id, external_id)
);

-- How another party names a collection's folder (plex_path: the seed's name for it; for a
-- filesystem collection, the NAS's own path) next to where this machine sees it.
CREATE TABLE path_mappings (
    id BIGINT PRIMARY KEY,
    collection_id BIGINT NOT NULL,
    plex_path VARCHAR NOT NULL,
    local_path VARCHAR NOT NULL,
    created_at TIMESTAMP DEFAULT current_timestamp,
    mapping_kind VARCHAR                -- 'nas' (settings' nas_path); later 'plex', 'jellyfin'
);

CREATE TABLE markers (
    id BIGINT PRIMARY KEY,
    asset_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL,              -- 'chapter'
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    payload JSON,                       -- {"title", "language", "number"}
    label VARCHAR                       -- the chapter's title
);

CREATE TABLE review_queue (
    id BIGINT PRIMARY KEY,              -- stable_id of item_key
    asset_id BIGINT NOT NULL,           -- the file (for a TMDb title: its first file)
    reason VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    status VARCHAR NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'resolved', 'rejected')),
    created_at TIMESTAMP DEFAULT current_timestamp,
    resolved_at TIMESTAMP,
    kind VARCHAR NOT NULL,              -- plan_review, tmdb_unmatched, tmdb_ambiguous, ...
    item_key VARCHAR NOT NULL UNIQUE,   -- '<kind>:<subject>', stable across scans
    subject VARCHAR NOT NULL,           -- the file id, or the TMDb identity key
    file_signature VARCHAR NOT NULL,    -- size:mtime_ns:inode of its file(s) now
    resolved_by VARCHAR,
    file_count INTEGER NOT NULL DEFAULT 1
);

-- The TMDb asset's external ids (IMDb, TVDB) per seed 003 media id, which the old
-- provider_refs held; provider_refs itself now joins the catalog (see library_catalog).
ALTER TABLE provider_refs RENAME TO tmdb_external_ids;

CREATE TABLE provider_refs (
    id BIGINT PRIMARY KEY,
    entity_type VARCHAR NOT NULL,       -- 'title', 'episode', 'asset'
    entity_id BIGINT NOT NULL,          -- titles.id / episodes.id / assets.id
    provider VARCHAR NOT NULL,          -- 'tmdb', 'imdb', 'tvdb'; later 'plex', 'jellyfin'
    provider_key VARCHAR NOT NULL,
    raw JSON,
    title_id BIGINT,                    -- set for entity_type 'title' (and an episode's title)
    episode_id BIGINT,
    asset_id BIGINT,
    media_id BIGINT                     -- seed 003's media.id of the title
);

-- SHA-256 where the whole file is read anyway (full MD5 and small files); NULL after
-- head/tail hashes only.
ALTER TABLE file_hashes ADD COLUMN sha256_hash VARCHAR;
ALTER TABLE assets ADD COLUMN hash_sha256 VARCHAR;
-- The chapters the probe read: [{"start_ms", "end_ms", "title", "language"}].
ALTER TABLE file_probes ADD COLUMN chapters JSON;
