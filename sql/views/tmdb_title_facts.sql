-- Per TMDb title: its genres and its top-billed cast in billing order (one name per person,
-- however many roles), for the Library page and the chat's views.
CREATE OR REPLACE VIEW tmdb_title_facts AS
SELECT
    t.tmdb_id,
    t.tmdb_type,
    t.media_id,
    t.genres,
    (
        SELECT list(p.name ORDER BY cr.order_position, p.name)
        FROM (
            SELECT person_id, min(order_position) AS order_position
            FROM media_credits
            WHERE media_id = t.media_id AND credit_type = 'cast'
            GROUP BY person_id
        ) AS cr
        JOIN people AS p ON p.id = cr.person_id
    ) AS cast_names
FROM tmdb_titles AS t;
