-- What serving a customer costs (issue #29): a price per case and per hour of activity, in the
-- base currency (×10⁴), set by an admin; none until set, and no service cost is guessed.
ALTER TABLE analytics_state ADD COLUMN cost_per_case_e4 BIGINT;
ALTER TABLE analytics_state ADD COLUMN cost_per_activity_hour_e4 BIGINT;
