-- A person's inbox: mentions, assignments and changes to records they follow, each about one
-- record, unread until marked read.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    title TEXT NOT NULL,
    detail TEXT,
    source_type TEXT,
    source_id TEXT,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_inbox ON notifications(workspace_id, user_id, at, id);
CREATE INDEX notifications_unread ON notifications(workspace_id, user_id, read_at);

-- Who follows which record (contact, company, deal, case).
CREATE TABLE follows (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    subject_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, subject_id, user_id)
);
CREATE INDEX follows_user ON follows(workspace_id, user_id);
