-- The TMDb title behind each seed 003 media id, with the external ids TMDb gave for it.
SELECT t.media_id, t.tmdb_id, t.tmdb_type,
       coalesce(map_from_entries(list((x.provider, x.provider_key))
           FILTER (WHERE x.provider IS NOT NULL)), MAP {}) AS external_ids
FROM tmdb_titles AS t
LEFT JOIN tmdb_external_ids AS x ON x.entity_id = t.media_id
GROUP BY ALL
