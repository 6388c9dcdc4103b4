-- Where each file's bytes are according to the staging journal, one row per file the staging
-- engine handled. location: 'staging' (verified copy staged, original gone), 'original' (never
-- moved, rolled back or restored), 'deleted' (purged), 'in_progress' (a run is going or recovery
-- is pending), 'needs_attention' (recovery could not finish or undo it: see the error message).
-- Skipped attempts touched nothing, so they never decide the location.
CREATE OR REPLACE VIEW file_locations AS
WITH engine_ops AS (
    SELECT * FROM archive_operations WHERE phase IS NOT NULL AND phase <> 'skipped'
),
last_op AS (
    SELECT * FROM engine_ops
    QUALIFY row_number() OVER (PARTITION BY file_id ORDER BY id DESC) = 1
),
last_archive AS (
    SELECT * FROM engine_ops
    WHERE operation_type = 'archive'
    QUALIFY row_number() OVER (PARTITION BY file_id ORDER BY id DESC) = 1
)
SELECT
    a.file_id,
    a.id AS archive_operation_id,
    a.plan_id,
    a.duplicate_group_id,
    a.source_path AS original_path,
    a.destination_path AS staged_path,
    a.manifest_path,
    a.completed_at AS staged_at,
    a.is_reversed,
    a.reversed_at,
    a.deleted_permanently_at,
    l.id AS last_operation_id,
    l.operation_type AS last_operation_type,
    l.status AS last_status,
    l.phase AS last_phase,
    l.error_message AS last_error_message,
    CASE
        WHEN l.status IN ('pending', 'in_progress') THEN 'in_progress'
        WHEN l.phase = 'needs_attention' THEN 'needs_attention'
        WHEN a.status = 'completed' AND a.deleted_permanently_at IS NOT NULL THEN 'deleted'
        WHEN a.status = 'completed' AND NOT coalesce(a.is_reversed, false) THEN 'staging'
        ELSE 'original'
    END AS location
FROM last_archive AS a
JOIN last_op AS l USING (file_id)
