-- Stores made before per-row user decisions (run after renaming user_decisions to
-- user_decisions_before_rows and creating the new table): SQLite drops a NOT NULL only by
-- rebuilding the table.
INSERT INTO user_decisions (id, duplicate_group_id, user_id, reviewer, action_taken,
    files_archived, files_deleted, primary_file_id, notes, confidence, decided_at)
SELECT id, duplicate_group_id, user_id, reviewer, action_taken, files_archived, files_deleted,
    primary_file_id, notes, confidence, decided_at
FROM user_decisions_before_rows;
DROP TABLE user_decisions_before_rows;
