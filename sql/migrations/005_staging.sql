-- Staging journal: archive_operations (seed 002) gains what the staging engine needs to finish or
-- undo any operation after a crash. The seed's columns and statuses stay as they are:
--   operation_type: 'archive' (stage), 'restore', 'delete' (purge)
--   status:         pending -> in_progress -> completed | failed
-- and `phase` says where inside that an operation is (see mediavault_assets/staging/engine.py).

ALTER TABLE archive_operations ADD COLUMN plan_id BIGINT;              -- pending_deletions.id
ALTER TABLE archive_operations ADD COLUMN parent_operation_id BIGINT;  -- restore/delete: its archive op
ALTER TABLE archive_operations ADD COLUMN root_key VARCHAR;
ALTER TABLE archive_operations ADD COLUMN media_type VARCHAR;
ALTER TABLE archive_operations ADD COLUMN relative_path VARCHAR;       -- relative to the library root
ALTER TABLE archive_operations ADD COLUMN staging_root VARCHAR;
ALTER TABLE archive_operations ADD COLUMN method VARCHAR;              -- 'rename', 'copy'
ALTER TABLE archive_operations ADD COLUMN phase VARCHAR;               -- planned, moving, transferred, deleting, done, skipped, rolled_back, needs_attention
ALTER TABLE archive_operations ADD COLUMN file_size BIGINT;            -- of source_path, as planned
ALTER TABLE archive_operations ADD COLUMN source_mtime_ns BIGINT;
ALTER TABLE archive_operations ADD COLUMN source_inode UBIGINT;
ALTER TABLE archive_operations ADD COLUMN md5_hash VARCHAR;
ALTER TABLE archive_operations ADD COLUMN manifest_path VARCHAR;
ALTER TABLE archive_operations ADD COLUMN sidecars JSON;               -- [{"source","destination","size","mtime_ns","inode","md5"}]
ALTER TABLE archive_operations ADD COLUMN reason VARCHAR;
ALTER TABLE archive_operations ADD COLUMN deleted_permanently_at TIMESTAMP;
ALTER TABLE archive_operations ADD COLUMN updated_at TIMESTAMP;
