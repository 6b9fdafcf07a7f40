-- The workspace's outgoing mail server (one row; the password is never returned by the API)
-- and its email templates with merge fields.
CREATE TABLE email_settings (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    host TEXT NOT NULL,
    port BIGINT NOT NULL,
    security TEXT NOT NULL,
    username TEXT,
    password TEXT,
    from_address TEXT NOT NULL,
    from_name TEXT,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE email_templates (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);
