ALTER TABLE assignment_rules DROP COLUMN conditions;
DROP TABLE search_custom_terms;
-- SQLite cannot drop a column an index uses: delete the indexed custom fields of these kinds
-- (DELETE /api/v1/fields/{id} drops each index) before reverting this migration.
DELETE FROM custom_fields WHERE entity_type IN ('order', 'activity', 'task');
ALTER TABLE orders DROP COLUMN custom;
ALTER TABLE activities DROP COLUMN custom;
ALTER TABLE tasks DROP COLUMN custom;
