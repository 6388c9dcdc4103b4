-- Seed 001's media_metadata for every probed file (the AI-image columns stay NULL for videos).
DELETE FROM media_metadata;
INSERT INTO media_metadata (id, media_file_id, width, height, duration, frame_rate, color_mode,
                            has_alpha, file_modified_at, metadata_extracted_at)
SELECT p.file_id, p.file_id, p.width, p.height, p.duration, p.framerate, p.hdr_type, false,
       i.file_modified_at, p.probed_at
FROM file_probes AS p
JOIN inventory_files AS i USING (file_id)
WHERE p.probe_error IS NULL;
