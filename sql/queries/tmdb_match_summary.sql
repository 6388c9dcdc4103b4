-- Identities by match status (titles and episodes), for the asset's metadata.
SELECT
    count(*) FILTER (WHERE status = 'matched') AS matched,
    count(*) FILTER (WHERE status = 'unmatched') AS unmatched,
    count(*) FILTER (WHERE status = 'ambiguous') AS ambiguous,
    count(*) FILTER (WHERE status = 'skipped') AS skipped,
    count(*) FILTER (WHERE status = 'failed' AND season IS NULL) AS failed
FROM tmdb_matches
