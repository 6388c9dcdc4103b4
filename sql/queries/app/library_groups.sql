-- One page of the Library's grouped view: each catalog title (or each season of one) among the
-- files the filter matches, with its counts and size. {where} is LibraryFilter.where(),
-- {season} is season_number (a group per season) or NULL (a group per title), $media_type
-- 'tv' or 'movie'; the live_library placeholder is app/live_library.sql. An episode counts once
-- however many files hold it.
{live_library},
matched AS (SELECT * FROM library {where}),
grouped AS (
    SELECT
        catalog_title_id AS title_id, {season} AS season, any_value(catalog_title) AS title,
        min(year) AS year, count(DISTINCT season_number) AS seasons,
        len(list_distinct(flatten(list(
            [[coalesce(season_number, -1), e] FOR e IN episodes]
        )))) AS episodes,
        count(*) AS files, CAST(sum(file_size) AS BIGINT) AS bytes,
        count(duplicate_group_id) AS duplicates, count(*) FILTER (proposed) AS proposed
    FROM matched
    WHERE media_type = $media_type AND catalog_title_id IS NOT NULL
    GROUP BY ALL
)
SELECT *, count(*) OVER () AS total_groups
FROM grouped
ORDER BY lower(title), title_id, season NULLS FIRST
LIMIT $limit OFFSET $offset
