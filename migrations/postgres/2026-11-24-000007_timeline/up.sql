-- One customer story across every channel: an item per thing that happened to a contact,
-- company, deal or case (activities, notes, emails, stage changes, orders, case events, field
-- changes), written in the same transaction as the change. A record's first page is one
-- range of timeline_subject, newest first, however long the story.
CREATE TABLE timeline (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT,
    source_type TEXT NOT NULL,
    source_id TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    data TEXT NOT NULL
);
CREATE INDEX timeline_subject ON timeline(workspace_id, subject_type, subject_id, at, id);
CREATE INDEX timeline_subject_kind ON timeline(workspace_id, subject_type, subject_id, kind, at, id);
CREATE INDEX timeline_subject_channel ON timeline(workspace_id, subject_type, subject_id, channel, at, id);
CREATE INDEX timeline_source ON timeline(source_id);
