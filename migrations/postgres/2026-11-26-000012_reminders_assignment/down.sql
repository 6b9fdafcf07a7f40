DROP TABLE assignment_rules;
DROP INDEX timeline_feed;
ALTER TABLE sla_policies DROP COLUMN warn_minutes;
DROP TABLE reminders;
