-- What single files ask of a person (review queue candidates), strongest proposal of each
-- (kind, file) first. confidence: how sure MediaVault is of what it proposes or reports.
WITH live AS (
    SELECT file_id, concat_ws(':', file_size, mtime_ns, inode) AS signature
    FROM inventory_files
    WHERE file_id NOT IN (SELECT file_id FROM file_locations WHERE location <> 'original')
),
grouped AS (SELECT DISTINCT file_id FROM duplicate_members),
candidates AS (
    -- A plan row the rules would not decide alone: as sure as its group is.
    SELECT 'plan_review' AS kind, d.file_id,
           'Plan proposes staging it (' || coalesce(d.deletion_category, 'duplicate') || '): '
               || d.deletion_reason AS reason,
           coalesce(g.confidence_score / 100.0, 0.5) AS confidence
    FROM pending_deletions AS d
    LEFT JOIN duplicate_groups AS g ON g.id = d.duplicate_group_id
    WHERE d.requires_manual_review AND NOT d.auto_approved
    UNION ALL
    SELECT 'probe_error', file_id, 'Could not be probed: ' || probe_error, 1.0
    FROM file_probes WHERE probe_error IS NOT NULL
    UNION ALL
    SELECT 'integrity_error', file_id, 'Damaged content: ' || integrity_error, 0.9
    FROM file_probes WHERE integrity_error IS NOT NULL
    UNION ALL
    -- Samples and short files in a group are handled by the plan; alone, only a person knows.
    SELECT 'sample_outside_group', file_id,
           'Named as a sample and in no duplicate group: keep or remove it', 0.9
    FROM parsed_names WHERE extra_kind = 'sample'
    UNION ALL
    SELECT runtime_flag || '_outside_group', file_id,
           'Runs far shorter than the ' || runtime || ' min TMDb gives (' || runtime_flag
               || ') and is in no duplicate group',
           coalesce(confidence, 0.5) * 0.8
    FROM tmdb_file_matches WHERE runtime_flag IN ('sample', 'truncated')
    UNION ALL
    SELECT 'identity_conflict', file_id, 'Its path disagrees about what it is: ' || identity_doubt,
           0.5
    FROM parsed_names WHERE identity_doubt IS NOT NULL
)
SELECT c.kind, CAST(c.file_id AS VARCHAR) AS subject, c.file_id AS asset_id, c.reason,
       least(greatest(c.confidence, 0.0), 1.0) AS confidence, l.signature
FROM candidates AS c
JOIN live AS l USING (file_id)
WHERE NOT (c.kind LIKE '%_outside_group' AND c.file_id IN (SELECT file_id FROM grouped))
ORDER BY c.kind, c.file_id, c.confidence DESC
