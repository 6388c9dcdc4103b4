-- Per TMDb title: its TMDb genre ids and the facts the taxonomy places titles by.
SELECT t.media_id, t.original_language, coalesce(t.production_countries, []) AS countries,
       t.year,
       coalesce(
           (SELECT list(g.tmdb_genre_id) FROM media_genres AS mg JOIN genres AS g ON g.id = mg.genre_id
            WHERE mg.media_id = t.media_id AND g.tmdb_genre_id IS NOT NULL),
           []
       ) AS tmdb_genre_ids
FROM tmdb_titles AS t
