-- Propensity to buy (issue #29): the workspace's model (a logistic regression trained on its
-- own history, with its quality on a later holdout window and, when that quality is too low to
-- show scores, the code saying why), and every live contact's probability of buying within the
-- model's horizon, with the factors that weigh most in it.
CREATE TABLE propensity_models (
    workspace_id TEXT NOT NULL PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    trained_at BIGINT NOT NULL,
    horizon_days INTEGER NOT NULL,
    -- JSON the application writes: the features' names, means, deviations and weights.
    model TEXT NOT NULL,
    -- JSON: AUC, top-decile lift and calibration on the holdout, rows and buyers per window.
    quality TEXT NOT NULL,
    -- Why the scores may not be shown (auc_too_low, lift_too_low, …); none when validated.
    refused TEXT
);
CREATE TABLE propensity_scores (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,
    -- The probability ×10⁴.
    score_e4 INTEGER NOT NULL,
    -- JSON: the factors with the largest contributions, [[feature, value, contribution], …].
    reasons TEXT NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);
-- The most and least likely buyers, a page at a time.
CREATE INDEX propensity_scores_rank ON propensity_scores(workspace_id, score_e4, contact_id);
-- Activities and cases read one contact after another, a page at a time (the training reads
-- every contact's history in one pass): the activity or case id ends the key.
DROP INDEX activity_participants_who;
CREATE INDEX activity_participants_who ON activity_participants(workspace_id, participant_id, occurred_at, activity_id);
DROP INDEX cases_contact;
CREATE INDEX cases_contact ON cases(workspace_id, contact_id, created_at, id);
