-- Custom fields on products (issue #28), stored like those of the other kinds: one JSON
-- object per product keyed by each field's storage key.
ALTER TABLE products ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
