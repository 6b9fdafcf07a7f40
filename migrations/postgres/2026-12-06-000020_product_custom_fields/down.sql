-- Dropping the column drops the fields' expression indexes with it.
DELETE FROM custom_fields WHERE entity_type = 'product';
ALTER TABLE products DROP COLUMN custom;
