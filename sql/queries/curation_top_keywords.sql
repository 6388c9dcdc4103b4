SELECT keyword, keyword_type, count(*) AS files
FROM media_keywords
GROUP BY keyword, keyword_type
ORDER BY files DESC, keyword
LIMIT 15
