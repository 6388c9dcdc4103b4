-- The library browser's count; {where} is LibraryFilter.where() (values bound, never pasted).
-- the live_library placeholder is app/live_library.sql.
{live_library}
SELECT count(*) AS n, CAST(coalesce(sum(file_size), 0) AS BIGINT) AS bytes
FROM library
{where}
