-- library_browser with each file's live rating and a person's keywords: live_scores and
-- live_keywords are the review store's (registered frames: current, not as of the refresh).
WITH user_words AS (
    SELECT file_id, list(DISTINCT keyword ORDER BY keyword) AS user_keywords
    FROM live_keywords GROUP BY file_id
),
library AS (
    SELECT b.*, coalesce(s.score, 0) AS score,
           coalesce(u.user_keywords, []::VARCHAR[]) AS user_keywords
    FROM library_browser AS b
    LEFT JOIN live_scores AS s ON s.file_id = b.id
    LEFT JOIN user_words AS u ON u.file_id = b.id
)
