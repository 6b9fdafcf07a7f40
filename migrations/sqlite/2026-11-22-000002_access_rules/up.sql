-- Per-workspace overrides of the built-in record-level access policy (crm_domain::access).
-- A missing row means the default grant for that role and entity.
CREATE TABLE access_rules (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    entity TEXT NOT NULL,
    read_scope TEXT NOT NULL,
    write_scope TEXT NOT NULL,
    PRIMARY KEY (workspace_id, role, entity)
);
