-- The words of every searchable record (names, subjects, companies, email parts), for
-- word-prefix search that stays fast at any size. Terms compare bytewise (BINARY here,
-- COLLATE "C" on PostgreSQL) so a prefix is a range of the index.
CREATE TABLE search_terms (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    entity_type TEXT NOT NULL,
    term TEXT COLLATE "C" NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, entity_type, term, entity_id)
);
CREATE INDEX search_terms_entity ON search_terms(entity_id);
