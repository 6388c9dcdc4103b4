-- chat_duplicate_members: which file belongs to which group; quality_rank 1 is the best copy.
CREATE TEMP VIEW chat_duplicate_members AS
SELECT group_id, file_id, quality_rank, is_primary, quality_score
FROM duplicate_members;
