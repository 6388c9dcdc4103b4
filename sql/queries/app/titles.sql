-- The catalog's titles for the title page's picker, with how many files each has.
SELECT t.id AS title_id, t.kind, t.name, t.year, count(b.id) AS files
FROM titles AS t
LEFT JOIN library_browser AS b ON b.catalog_title_id = t.id
GROUP BY t.id, t.kind, t.name, t.year
ORDER BY lower(t.name), t.year, t.id
