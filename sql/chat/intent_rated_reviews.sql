-- The same question from seed 003's user_reviews (rating 0-10, so stars = rating / 2).
SELECT
    m.title,
    year(m.release_date) AS year,
    m.media_type,
    r.rating,
    r.review_text
FROM user_reviews AS r
LEFT JOIN media AS m ON m.id = r.media_id
WHERE ($stars::INTEGER IS NULL AND r.rating >= 8) OR round(r.rating / 2) = $stars::INTEGER
ORDER BY r.rating DESC, m.title
LIMIT 20;
