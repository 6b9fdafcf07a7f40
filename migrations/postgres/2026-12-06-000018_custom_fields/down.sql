-- Dropping the columns drops the fields' expression indexes with them, before the function
-- the numeric ones use.
ALTER TABLE contacts DROP COLUMN custom;
ALTER TABLE companies DROP COLUMN custom;
ALTER TABLE deals DROP COLUMN custom;
ALTER TABLE leads DROP COLUMN custom;
ALTER TABLE cases DROP COLUMN custom;
DROP TABLE custom_fields;
DROP FUNCTION crm_cf_num(text, text);
