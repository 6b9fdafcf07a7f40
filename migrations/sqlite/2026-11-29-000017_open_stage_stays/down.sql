DROP INDEX deal_stage_history_open;
