-- Imports (issue #30): a file someone uploaded, how its columns map to fields, and the job
-- that reads it (a dry run or the real thing) with its progress. The file is kept in the
-- database in chunks of about 1 MiB, so any server process can run, resume or redo the job.
-- A job is claimed by one process at a time through its lease; every batch of rows commits
-- with their outcomes and the job's progress, so a job resumes exactly where it stopped.
CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    created_by TEXT,
    entity TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    encoding TEXT NOT NULL,
    delimiter TEXT NOT NULL,
    headers TEXT NOT NULL DEFAULT '[]',
    config TEXT,
    status TEXT NOT NULL,
    dry_run INTEGER NOT NULL DEFAULT 0,
    rows_estimate BIGINT,
    rows_total BIGINT,
    rows_done BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT,
    error TEXT,
    started_at BIGINT,
    finished_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX imports_workspace ON imports (workspace_id, created_at);
CREATE INDEX imports_active ON imports (status, lease_until);

CREATE TABLE import_chunks (
    import_id TEXT NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- What each row of the file did (of the last run: a real run replaces its dry run's rows):
-- its key (`email:…`, `phone:…`), the record it created or updated (with the record's fields
-- before, for undo), or why it was
-- skipped or rejected (problems as JSON, and its cells, to download, fix and import again).
CREATE TABLE import_rows (
    import_id TEXT NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    line BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    row_key TEXT,
    record_id TEXT,
    version_after BIGINT,
    before TEXT,
    problems TEXT,
    cells TEXT,
    PRIMARY KEY (import_id, line)
);
CREATE INDEX import_rows_outcome ON import_rows (import_id, outcome, line);
-- A later row with the key of an earlier one, or reaching the record an earlier one wrote, is
-- skipped: found here, so a job's memory stays flat and a resumed job still knows them.
CREATE INDEX import_rows_key ON import_rows (import_id, row_key);
CREATE INDEX import_rows_record ON import_rows (import_id, record_id);
