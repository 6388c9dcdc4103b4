-- Every episode TMDb listed for a show on disk (episode refs are made only for these).
SELECT show_tmdb_id, season, episode FROM tmdb_episodes
