-- Move a staging operation to its next state (one short transaction per state change).
UPDATE archive_operations SET
    status = $status,
    phase = $phase,
    error_message = coalesce($error_message, error_message),
    method = coalesce($method, method),
    md5_hash = coalesce($md5_hash, md5_hash),
    sidecars = coalesce($sidecars, sidecars),
    started_at = CASE WHEN $status = 'in_progress' THEN coalesce(started_at, $now) ELSE started_at END,
    completed_at = CASE WHEN $status IN ('completed', 'failed') THEN $now ELSE completed_at END,
    updated_at = $now
WHERE id = $id
RETURNING started_at, completed_at
