-- Seed 001's media_keywords: the automatic ones (keyword_type 'auto') from what the scan knows
-- (probe: resolution, HDR, codec, audio languages, foreign film; name: edition, 3D, extra kind;
-- TMDb: genres at the match's confidence), then a person's, mirrored from the review store
-- (registered as store_keywords). media_curation writes only the rows that differ and keeps the
-- created_at of rows that stay, so an automatic keyword keeps that of the refresh that found it.
WITH facts AS (
    SELECT i.file_id, lower(p.quality_tier) AS tier, p.hdr_type, lower(p.video_codec) AS codec,
           p.audio_languages, coalesce(p.is_foreign_film, false) AS foreign_film, n.edition,
           coalesce(n.is_3d, false) AS is_3d, n.extra_kind, t.genres,
           coalesce(fm.confidence, 1.0) AS tmdb_confidence
    FROM inventory_files AS i
    LEFT JOIN file_probes AS p USING (file_id)
    LEFT JOIN parsed_names AS n USING (file_id)
    LEFT JOIN tmdb_file_matches AS fm USING (file_id)
    LEFT JOIN tmdb_titles AS t ON t.tmdb_id = fm.tmdb_id AND t.tmdb_type = fm.tmdb_type
),
words AS (
    SELECT file_id, tier AS keyword, 1.0 AS confidence, 'probe' AS source
    FROM facts WHERE tier IS NOT NULL
    UNION ALL SELECT file_id, '4k', 1.0, 'probe' FROM facts WHERE tier = '2160p'
    UNION ALL SELECT file_id, 'hdr', 1.0, 'probe' FROM facts WHERE hdr_type <> 'SDR'
    UNION ALL SELECT file_id, lower(hdr_type), 1.0, 'probe' FROM facts WHERE hdr_type <> 'SDR'
    UNION ALL
    SELECT file_id, CASE codec
               WHEN 'h265' THEN 'hevc' WHEN 'avc' THEN 'h264' WHEN 'mpeg4' THEN 'xvid/divx'
               WHEN 'mpeg2' THEN 'mpeg-2' WHEN 'vc1' THEN 'vc-1' ELSE codec END,
           1.0, 'probe'
    FROM facts WHERE codec IS NOT NULL
    UNION ALL
    SELECT file_id, 'audio:' || lang, 1.0, 'probe'
    FROM (SELECT file_id, unnest(audio_languages) AS lang FROM facts)
    WHERE lang IS NOT NULL AND lang <> 'und'
    UNION ALL SELECT file_id, 'foreign film', 1.0, 'probe' FROM facts WHERE foreign_film
    UNION ALL SELECT file_id, lower(edition), 0.9, 'name' FROM facts WHERE edition IS NOT NULL
    UNION ALL SELECT file_id, '3d', 0.9, 'name' FROM facts WHERE is_3d
    UNION ALL
    SELECT file_id, lower(extra_kind), 0.9, 'name' FROM facts WHERE extra_kind IS NOT NULL
    UNION ALL
    SELECT file_id, lower(genre), tmdb_confidence, 'tmdb'
    FROM (SELECT file_id, unnest(genres) AS genre, tmdb_confidence FROM facts)
    WHERE genre IS NOT NULL
)
SELECT CAST(hash(file_id, keyword, 'auto') >> 1 AS BIGINT) AS id, file_id AS media_file_id,
       keyword, 'auto' AS keyword_type, max(confidence) AS confidence, min(source) AS source,
       CAST($now AS TIMESTAMP) AS created_at
FROM words
GROUP BY file_id, keyword
UNION ALL
SELECT CAST(hash(k.file_id, k.keyword, k.keyword_type) >> 1 AS BIGINT), k.file_id, k.keyword,
       k.keyword_type, k.confidence, coalesce(k.source, k.added_by), CAST(k.created_at AS TIMESTAMP)
FROM store_keywords AS k
WHERE k.file_id IN (SELECT file_id FROM inventory_files)
