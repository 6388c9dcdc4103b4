-- Episodes of the matched shows (names and runtimes for the per-file rows).
SELECT show_tmdb_id, season, episode, name, runtime
FROM tmdb_episodes
