DROP FUNCTION crm_cf_num(text, text);
DROP TABLE custom_fields;
ALTER TABLE contacts DROP COLUMN custom;
ALTER TABLE companies DROP COLUMN custom;
ALTER TABLE deals DROP COLUMN custom;
ALTER TABLE leads DROP COLUMN custom;
ALTER TABLE cases DROP COLUMN custom;
