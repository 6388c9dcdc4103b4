-- Where each file's bytes are, according to the journal (see sql/views/file_locations.sql).
SELECT * FROM file_locations ORDER BY file_id
