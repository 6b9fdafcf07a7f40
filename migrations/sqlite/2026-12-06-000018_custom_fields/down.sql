-- SQLite cannot drop a column an index uses, and plain SQL cannot name the fields' indexes
-- (cf_<storage key>): delete the indexed custom fields (DELETE /api/v1/fields/{id} drops each
-- index) before reverting this migration on a database that has some.
DROP TABLE custom_fields;
ALTER TABLE contacts DROP COLUMN custom;
ALTER TABLE companies DROP COLUMN custom;
ALTER TABLE deals DROP COLUMN custom;
ALTER TABLE leads DROP COLUMN custom;
ALTER TABLE cases DROP COLUMN custom;
