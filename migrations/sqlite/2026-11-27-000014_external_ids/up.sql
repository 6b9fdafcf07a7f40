-- The id a deal or case has in the system it came from (another CRM, a help desk), so an
-- integration can upsert it; unique in the workspace.
ALTER TABLE deals ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX deals_external_id ON deals (workspace_id, external_id);
ALTER TABLE cases ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX cases_external_id ON cases (workspace_id, external_id);
