-- Custom fields on orders, activities and tasks (issue #28), stored like those of
-- the other kinds: one JSON object per record keyed by each field's storage key.
ALTER TABLE orders ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE activities ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tasks ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';

-- The words of custom text, email and phone values (issue #28), beside the built-in words of
-- search_terms and read with them: kept apart so a record's custom words change without
-- touching its built-in ones, and so a change to a field's definition rebuilds only these.
CREATE TABLE search_custom_terms (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    entity_type TEXT NOT NULL,
    term TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, entity_type, term, entity_id)
);
CREATE INDEX search_custom_terms_entity ON search_custom_terms(entity_id);

-- Assignment rules may hold conditions on the new record's fields (issue #28): JSON, see
-- crm_app::assignment.
ALTER TABLE assignment_rules ADD COLUMN conditions TEXT NOT NULL DEFAULT '[]';
