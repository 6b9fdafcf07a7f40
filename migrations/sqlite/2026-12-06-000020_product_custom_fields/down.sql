-- SQLite cannot drop a column an index uses: delete the indexed custom fields of products
-- (DELETE /api/v1/fields/{id} drops each index) before reverting this migration.
DELETE FROM custom_fields WHERE entity_type = 'product';
ALTER TABLE products DROP COLUMN custom;
