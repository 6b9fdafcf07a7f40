-- Timestamps are microseconds since the Unix epoch, UTC (BIGINT on both backends).
-- Lists (emails, phones, tags) are JSON text on the row for one-query reads; contact_points and
-- record_tags index them for lookups and filters.
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    default_region TEXT NOT NULL,
    base_currency TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE teams (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(workspace_id, user_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    family_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_keys_workspace ON api_keys(workspace_id, created_at);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);

CREATE TABLE idempotency_keys (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    principal_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    location TEXT,
    etag TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, principal_id, idem_key)
);

CREATE TABLE companies (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    domain TEXT,
    industry TEXT,
    city TEXT,
    country TEXT,
    emails TEXT NOT NULL,
    phones TEXT NOT NULL,
    annual_revenue_e4 BIGINT,
    annual_revenue_currency TEXT,
    employee_count BIGINT,
    owner_id TEXT,
    tags TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX companies_created ON companies(workspace_id, created_at, id);
CREATE INDEX companies_updated ON companies(workspace_id, updated_at, id);
CREATE INDEX companies_name ON companies(workspace_id, sort_name, id);
CREATE INDEX companies_domain ON companies(workspace_id, domain);
CREATE INDEX companies_owner ON companies(workspace_id, owner_id, created_at, id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    last_name TEXT,
    display_name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    title TEXT,
    company_id TEXT REFERENCES companies(id),
    emails TEXT NOT NULL,
    phones TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    source TEXT,
    consent TEXT NOT NULL,
    owner_id TEXT,
    tags TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX contacts_created ON contacts(workspace_id, created_at, id);
CREATE INDEX contacts_updated ON contacts(workspace_id, updated_at, id);
CREATE INDEX contacts_name ON contacts(workspace_id, sort_name, id);
CREATE INDEX contacts_company ON contacts(workspace_id, company_id);
CREATE INDEX contacts_stage ON contacts(workspace_id, lifecycle_stage, created_at, id);
CREATE INDEX contacts_owner ON contacts(workspace_id, owner_id, created_at, id);

CREATE TABLE contact_points (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, kind, value, entity_type, entity_id)
);
CREATE INDEX contact_points_entity ON contact_points(entity_id);

CREATE TABLE record_tags (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    entity_type TEXT NOT NULL,
    tag TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, entity_type, tag, entity_id)
);
CREATE INDEX record_tags_entity ON record_tags(entity_id);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    at BIGINT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(workspace_id, entity_type, entity_id, id);
