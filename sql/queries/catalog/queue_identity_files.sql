-- Each live video's parsed identity fields (domain.tmdb_matching.identity_key) and signature.
SELECT n.file_id, n.media_type, n.title_key, n.year, n.tmdb_id, n.imdb_id, n.tvdb_id,
       concat_ws(':', i.file_size, i.mtime_ns, i.inode) AS signature
FROM parsed_names AS n
JOIN inventory_files AS i USING (file_id)
WHERE n.file_id NOT IN (SELECT file_id FROM file_locations WHERE location <> 'original')
ORDER BY n.file_id
