-- The same question from seed 003's user_reviews (rating 0-10, so stars = rating / 2), run only
-- once the warehouse has that table. The ids are compared as text: seed 003 has UUIDs, this
-- warehouse's media ids are integers.
SELECT
    m.title,
    year(m.release_date) AS year,
    m.media_type,
    r.rating,
    r.review_text
FROM user_reviews AS r
LEFT JOIN media AS m ON CAST(m.id AS VARCHAR) = CAST(r.media_id AS VARCHAR)
WHERE ($stars::INTEGER IS NULL AND r.rating >= 8) OR round(r.rating / 2) = $stars::INTEGER
ORDER BY r.rating DESC, m.title
LIMIT 20;
