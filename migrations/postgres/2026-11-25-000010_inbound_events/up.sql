-- Events other systems post (order placed, page visited, form submitted, email opened or
-- replied…), kept once per source and event id so a re-sent event changes nothing.
CREATE TABLE inbound_events (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    company_id TEXT,
    occurred_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (workspace_id, source, event_id)
);
CREATE INDEX inbound_events_contact ON inbound_events(workspace_id, contact_id, occurred_at);
