-- Custom fields on orders, activities and tasks (issue #28), stored like those of
-- the other kinds: one JSON object per record keyed by each field's storage key.
ALTER TABLE orders ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE activities ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tasks ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
