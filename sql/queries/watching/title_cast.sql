-- A title's cast in billing order, one name per person.
SELECT p.name
FROM media_credits AS c
JOIN people AS p ON p.id = c.person_id
WHERE c.media_id = $media_id AND c.credit_type = 'cast'
GROUP BY p.name
ORDER BY min(c.order_position), p.name
