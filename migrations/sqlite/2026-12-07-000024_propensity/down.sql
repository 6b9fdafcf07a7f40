DROP INDEX cases_contact;
CREATE INDEX cases_contact ON cases(workspace_id, contact_id);
DROP INDEX activity_participants_who;
CREATE INDEX activity_participants_who ON activity_participants(workspace_id, participant_id, occurred_at);
DROP TABLE propensity_scores;
DROP TABLE propensity_models;
