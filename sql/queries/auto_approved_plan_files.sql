-- Files the current plan approved automatically (they count as approved only while nobody has
-- decided otherwise).
SELECT file_id FROM pending_deletions WHERE auto_approved
