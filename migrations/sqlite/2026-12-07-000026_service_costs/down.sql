ALTER TABLE analytics_state DROP COLUMN cost_per_activity_hour_e4;
ALTER TABLE analytics_state DROP COLUMN cost_per_case_e4;
