-- Everything the grouping and deletion rules know about each video file, across all roots.
SELECT
    i.file_id, i.root_key, i.relative_path, i.filepath, i.file_size, i.device, i.inode,
    i.link_count, i.mtime_ns, i.sidecars,
    h.md5_hash, h.sha256_hash,
    p.duration, p.format, p.video_codec, p.audio_codec, p.width, p.height, p.bitrate,
    p.framerate, p.hdr_type, p.audio_channels, p.audio_track_count, p.subtitle_track_count,
    p.audio_languages, p.embedded_subtitle_languages, p.integrity_error, p.probe_error,
    CAST(p.chapters AS VARCHAR) AS chapters,
    n.title, n.title_key, n.media_type, n.year, n.season, n.episodes, n.episode_title,
    n.edition, n.is_3d, n.part, n.extra_kind, n.release_group, n.screen_size, n.tmdb_id,
    n.imdb_id, n.tvdb_id, n.parse_error, n.identity_doubt,
    t.original_language,
    -- The title the TMDb asset matched the name to (grouping compares files by it).
    fm.tmdb_id AS matched_tmdb_id, fm.tmdb_type AS matched_tmdb_type,
    fm.confidence AS match_confidence,
    coalesce(c.score, 0) AS user_score     -- a person's rating (seed 001), a signal for the plan
FROM inventory_files AS i
JOIN file_probes AS p USING (file_id)
JOIN parsed_names AS n USING (file_id)
LEFT JOIN file_hashes AS h USING (file_id)
LEFT JOIN tmdb_file_matches AS fm USING (file_id)
LEFT JOIN tmdb_titles AS t ON t.tmdb_id = fm.tmdb_id AND t.tmdb_type = fm.tmdb_type
LEFT JOIN file_curation AS c ON c.media_file_id = i.file_id
-- Staged or purged files are no longer part of the library.
WHERE i.file_id NOT IN (SELECT file_id FROM file_locations WHERE location <> 'original')
    -- All files, or only these (the members of a group a person decides on).
    AND ($file_ids::BIGINT[] IS NULL OR list_contains($file_ids::BIGINT[], i.file_id))
ORDER BY i.file_id
