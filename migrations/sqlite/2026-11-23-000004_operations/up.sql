-- Leads and the public web forms that capture them, activities on every channel with their
-- participants, tasks, and service cases with per-priority SLA policies.
CREATE TABLE web_forms (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    form_key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    owner_id TEXT,
    active INTEGER NOT NULL,
    max_per_hour BIGINT NOT NULL,
    submissions BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE form_submissions (
    id TEXT PRIMARY KEY NOT NULL,
    form_id TEXT NOT NULL REFERENCES web_forms(id) ON DELETE CASCADE,
    client TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX form_submissions_client ON form_submissions(form_id, client, at);

CREATE TABLE leads (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    last_name TEXT,
    display_name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    email TEXT,
    email_key TEXT,
    phone TEXT,
    company_name TEXT,
    title TEXT,
    status TEXT NOT NULL,
    disqualify_reason TEXT,
    source TEXT,
    form_id TEXT,
    owner_id TEXT,
    notes TEXT,
    converted_at BIGINT,
    contact_id TEXT,
    company_id TEXT,
    deal_id TEXT,
    tags TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX leads_created ON leads(workspace_id, created_at, id);
CREATE INDEX leads_updated ON leads(workspace_id, updated_at, id);
CREATE INDEX leads_name ON leads(workspace_id, sort_name, id);
CREATE INDEX leads_status ON leads(workspace_id, status, created_at, id);
CREATE INDEX leads_owner ON leads(workspace_id, owner_id, created_at, id);
CREATE INDEX leads_email ON leads(workspace_id, email_key);
CREATE INDEX leads_phone ON leads(workspace_id, phone);

CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    direction TEXT,
    subject TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    body TEXT,
    occurred_at BIGINT NOT NULL,
    duration_seconds BIGINT,
    outcome TEXT,
    owner_id TEXT,
    company_id TEXT,
    deal_id TEXT,
    case_id TEXT,
    lead_id TEXT,
    contacts TEXT NOT NULL,
    users TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX activities_time ON activities(workspace_id, occurred_at, id);
CREATE INDEX activities_created ON activities(workspace_id, created_at, id);
CREATE INDEX activities_owner ON activities(workspace_id, owner_id, occurred_at, id);
CREATE INDEX activities_company ON activities(workspace_id, company_id, occurred_at);
CREATE INDEX activities_deal ON activities(workspace_id, deal_id, occurred_at);
CREATE INDEX activities_case ON activities(workspace_id, case_id, occurred_at);

CREATE TABLE activity_participants (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    activity_id TEXT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    PRIMARY KEY (activity_id, kind, participant_id)
);
CREATE INDEX activity_participants_who ON activity_participants(workspace_id, participant_id, occurred_at);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    notes TEXT,
    due_at BIGINT,
    due_sort BIGINT NOT NULL,
    reminder_at BIGINT,
    owner_id TEXT,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    related_type TEXT,
    related_id TEXT,
    completed_at BIGINT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX tasks_created ON tasks(workspace_id, created_at, id);
CREATE INDEX tasks_due ON tasks(workspace_id, due_sort, id);
CREATE INDEX tasks_owner ON tasks(workspace_id, owner_id, status, due_sort, id);
CREATE INDEX tasks_related ON tasks(workspace_id, related_id);

CREATE TABLE sla_policies (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    priority TEXT NOT NULL,
    first_response_minutes BIGINT NOT NULL,
    resolution_minutes BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, priority)
);

CREATE TABLE counters (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    subject TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    description TEXT,
    contact_id TEXT,
    company_id TEXT,
    channel TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    owner_id TEXT,
    team_id TEXT,
    first_response_due_at BIGINT NOT NULL,
    resolution_due_at BIGINT NOT NULL,
    first_response_at BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT,
    reopen_count BIGINT NOT NULL,
    csat BIGINT,
    csat_comment TEXT,
    tags TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    UNIQUE (workspace_id, number)
);
CREATE INDEX cases_created ON cases(workspace_id, created_at, id);
CREATE INDEX cases_updated ON cases(workspace_id, updated_at, id);
CREATE INDEX cases_status ON cases(workspace_id, status, created_at, id);
CREATE INDEX cases_owner ON cases(workspace_id, owner_id, created_at, id);
CREATE INDEX cases_contact ON cases(workspace_id, contact_id);
CREATE INDEX cases_company ON cases(workspace_id, company_id);
INSERT INTO counters (workspace_id, name, value) SELECT id, 'case', 0 FROM workspaces;
