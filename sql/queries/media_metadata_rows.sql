-- Seed 001's media_metadata for every probed file (the AI-image columns stay NULL for videos).
-- What the table should hold (media_curation writes only the rows that differ).
SELECT p.file_id AS id, p.file_id AS media_file_id, p.width, p.height, p.duration,
       p.framerate AS frame_rate, p.hdr_type AS color_mode, false AS has_alpha,
       i.file_modified_at, p.probed_at AS metadata_extracted_at
FROM file_probes AS p
JOIN inventory_files AS i USING (file_id)
WHERE p.probe_error IS NULL
