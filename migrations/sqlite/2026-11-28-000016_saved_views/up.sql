-- A person's saved list views (search, filter chips, sort, columns), optionally shared with
-- the workspace. One name per person and list.
CREATE TABLE saved_views (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    name TEXT NOT NULL,
    shared INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, user_id, list, name)
);
CREATE INDEX saved_views_shared ON saved_views(workspace_id, list, shared);
