-- TMDb as it really answers: the flags details carry (adult, direct-to-video, the collection a
-- film belongs to). media_credits keeps seed 003's key (media, person, credit_type, department)
-- plus the job or character inside its stable id (domain/tmdb_matching.py: Credit.key), so a
-- person in cast and crew, or with several jobs in one department, is several rows.
ALTER TABLE tmdb_titles ADD COLUMN adult BOOLEAN DEFAULT false;
ALTER TABLE tmdb_titles ADD COLUMN video BOOLEAN DEFAULT false;
ALTER TABLE tmdb_titles ADD COLUMN collection_id BIGINT;
ALTER TABLE tmdb_titles ADD COLUMN collection_name VARCHAR;
