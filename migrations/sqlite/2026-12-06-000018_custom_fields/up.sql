-- Custom fields (issue #28): the workspace's own facts on its records. Values live in one JSON
-- object per record, keyed by each field's storage key (never reused, unique across
-- workspaces), so a field's index is one expression index shared by no other field.
ALTER TABLE contacts ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE companies ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE deals ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE leads ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
ALTER TABLE cases ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';

CREATE TABLE custom_fields (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    entity_type TEXT NOT NULL,
    key TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    field_type TEXT NOT NULL,
    label_en TEXT NOT NULL,
    label_fa TEXT,
    help_en TEXT,
    help_fa TEXT,
    position BIGINT NOT NULL,
    required INTEGER NOT NULL DEFAULT 0,
    unique_values INTEGER NOT NULL DEFAULT 0,
    indexed INTEGER NOT NULL DEFAULT 0,
    sensitive INTEGER NOT NULL DEFAULT 0,
    config TEXT NOT NULL DEFAULT '{}',
    index_state TEXT NOT NULL DEFAULT 'none',
    archived INTEGER NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE UNIQUE INDEX custom_fields_key ON custom_fields(workspace_id, entity_type, key) WHERE deleted_at IS NULL;
CREATE INDEX custom_fields_entity ON custom_fields(workspace_id, entity_type, position);
