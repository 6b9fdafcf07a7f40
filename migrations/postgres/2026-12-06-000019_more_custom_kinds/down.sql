ALTER TABLE assignment_rules DROP COLUMN conditions;
DROP TABLE search_custom_terms;
-- Dropping the columns drops the fields' expression indexes with them.
DELETE FROM custom_fields WHERE entity_type IN ('order', 'activity', 'task');
ALTER TABLE orders DROP COLUMN custom;
ALTER TABLE activities DROP COLUMN custom;
ALTER TABLE tasks DROP COLUMN custom;
