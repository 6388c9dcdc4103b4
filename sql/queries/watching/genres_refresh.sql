-- Seed 003's taxonomy (registered as taxonomy_genres), TMDb's TV genres placed under their
-- family (genre_placements), and titles linked to the taxonomy genres TMDb's facts put them in
-- (derived_media_genres); TMDb's own genre links stay as the TMDb asset wrote them.
-- A taxonomy genre keeps the created_at of its first refresh.
CREATE OR REPLACE TEMP TABLE taxonomy_before AS
SELECT id, created_at FROM genres WHERE id IN (SELECT id FROM taxonomy_genres);
DELETE FROM genres WHERE id IN (SELECT id FROM taxonomy_genres);
INSERT INTO genres BY NAME
SELECT t.*, coalesce(b.created_at, current_timestamp) AS created_at
FROM taxonomy_genres AS t
LEFT JOIN taxonomy_before AS b USING (id);
DROP TABLE taxonomy_before;
UPDATE genres SET parent_genre_id = p.parent_genre_id, genre_category = p.genre_category
FROM genre_placements AS p
WHERE genres.id = p.id;
DELETE FROM media_genres
WHERE genre_id IN (SELECT id FROM taxonomy_genres WHERE tmdb_genre_id IS NULL);
-- A family that is itself a TMDb genre (science fiction = 878) is linked already by TMDb.
INSERT INTO media_genres BY NAME
SELECT d.media_id, d.genre_id, max(d.weight) AS weight
FROM derived_media_genres AS d
WHERE NOT EXISTS (
    SELECT 1 FROM media_genres AS m WHERE m.media_id = d.media_id AND m.genre_id = d.genre_id
)
GROUP BY d.media_id, d.genre_id;
