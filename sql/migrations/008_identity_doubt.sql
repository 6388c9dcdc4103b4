-- Why a file's path leaves its identity uncertain (folder and file name disagree, an episode
-- without a season); the deletion plan sends every group holding such a file to a person.
ALTER TABLE parsed_names ADD COLUMN identity_doubt VARCHAR;
