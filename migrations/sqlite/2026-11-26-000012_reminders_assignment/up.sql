-- What the scheduler must do at a given time: remind a task's assignee when it falls due, warn
-- a case's agent before an SLA deadline. Every server process polls the due rows; deleting a
-- row is how one process claims it, so each reminder is sent once.
CREATE TABLE reminders (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    fire_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, kind, subject_id)
);
CREATE INDEX reminders_due ON reminders(fire_at);

-- How long before each SLA deadline the agent is warned (default: a fifth of the time allowed,
-- at most an hour).
ALTER TABLE sla_policies ADD COLUMN warn_minutes BIGINT;

-- The activity feed reads a workspace's timeline newest first.
CREATE INDEX timeline_feed ON timeline(workspace_id, at, id);

-- Who gets new unassigned leads and cases: the rules in order, each naming a team and how its
-- members take turns (round_robin) or share by open work (load). `turn` counts assignments so
-- two concurrent picks cannot both take the same turn.
CREATE TABLE assignment_rules (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    team_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    method TEXT NOT NULL,
    last_user_id TEXT,
    turn BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, entity, team_id)
);
