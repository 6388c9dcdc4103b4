-- Who reviewed what, by name: the review app identifies people by user name (the seeds'
-- integer user ids stay for compatibility and are NULL).
ALTER TABLE pending_deletions ADD COLUMN reviewer VARCHAR;
ALTER TABLE duplicate_groups ADD COLUMN reviewer VARCHAR;
ALTER TABLE user_decisions ADD COLUMN reviewer VARCHAR;
