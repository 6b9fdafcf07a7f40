-- A stage change closes the deal's open stay (left_at IS NULL). Without this index that
-- meant reading every stay the deal ever had, which grows with each change.
CREATE INDEX deal_stage_history_open ON deal_stage_history(deal_id) WHERE left_at IS NULL;
