-- Totals over the root's probes after a probe run, for the materialization metadata.
SELECT
    count(*) AS files,
    count(probe_error) AS probe_errors,
    count(integrity_error) AS integrity_errors,
    (SELECT to_json(map(list(quality_tier), list(n)))::VARCHAR FROM (
        SELECT coalesce(quality_tier, 'unknown') AS quality_tier, count(*) AS n
        FROM file_probes WHERE root_key = $root_key GROUP BY ALL)) AS by_tier
FROM file_probes
WHERE root_key = $root_key
