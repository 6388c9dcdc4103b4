-- The library browser's count; {where} is LibraryFilter.where() (values bound, never pasted).
SELECT count(*) AS n, CAST(coalesce(sum(file_size), 0) AS BIGINT) AS bytes
FROM library_browser
{where}
