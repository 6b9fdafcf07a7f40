DROP INDEX cases_external_id;
ALTER TABLE cases DROP COLUMN external_id;
DROP INDEX deals_external_id;
ALTER TABLE deals DROP COLUMN external_id;
