-- What connected browsers are told as it happens (notifications, ringing calls). Every
-- server process reads new rows and pushes them to its own streams, so a browser connected to
-- any process hears about changes made on any other. Rows are kept a few minutes.
CREATE TABLE live_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    workspace_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX live_events_at ON live_events(at);
CREATE INDEX live_events_user ON live_events(workspace_id, user_id, seq);

-- Calls reported by the telephone system, one row per call id, built up from its events
-- (which may arrive twice or out of order).
CREATE TABLE calls (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    call_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    from_number TEXT,
    to_number TEXT,
    agent_id TEXT,
    status TEXT NOT NULL,
    contact_ids TEXT NOT NULL,
    company_id TEXT,
    rang_at BIGINT,
    answered_at BIGINT,
    ended_at BIGINT,
    activity_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX calls_call_id ON calls(workspace_id, call_id);
CREATE INDEX calls_agent ON calls(workspace_id, agent_id, created_at);
