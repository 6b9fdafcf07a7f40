-- Duplicates (issue #30): pairs of contacts that look like one person, found by a scan with
-- their evidence (the same email, the same phone in E.164, names that read the same within a
-- company). A review queue decides each pair: merged, or dismissed as two people, which later
-- scans remember. `first_id` is the older contact, proposed to survive.
CREATE TABLE duplicate_pairs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    first_id TEXT NOT NULL,
    second_id TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL,
    found_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    merge_id TEXT
);
CREATE UNIQUE INDEX duplicate_pairs_members ON duplicate_pairs (workspace_id, first_id, second_id);
CREATE INDEX duplicate_pairs_queue ON duplicate_pairs (workspace_id, status, id);
CREATE INDEX duplicate_pairs_second ON duplicate_pairs (workspace_id, second_id);

-- A merge of one contact into another, kept to undo it: the survivor's fields before it and
-- its version after it, and every link that moved (JSON), each moved back by the undo.
CREATE TABLE merges (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    survivor_id TEXT NOT NULL,
    merged_id TEXT NOT NULL,
    survivor_before TEXT NOT NULL,
    survivor_version BIGINT NOT NULL,
    links TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    undone_at BIGINT,
    undone_by TEXT
);
CREATE INDEX merges_survivor ON merges (workspace_id, survivor_id, created_at);
CREATE INDEX merges_merged ON merges (workspace_id, merged_id, created_at);

-- What a merge moves is found by the contact it moves from.
CREATE INDEX leads_contact ON leads (workspace_id, contact_id);
CREATE INDEX segment_members_contact ON segment_members (contact_id);
