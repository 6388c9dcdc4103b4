-- One title of the catalog (seed 004's titles), with its TMDb match where the catalog has one.
SELECT t.id AS title_id, t.kind, t.name, t.year, t.external_ids,
       any_value(b.tmdb_title) AS tmdb_title, any_value(b.tmdb_overview) AS tmdb_overview
FROM titles AS t
LEFT JOIN library_browser AS b ON b.catalog_title_id = t.id
WHERE t.id = $title_id
GROUP BY ALL
