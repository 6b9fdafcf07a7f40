-- One narrow row per live contact with the fields and figures segment rules read most (issue
-- #29): a rule over them is one scan of this table instead of a join of two large ones, which
-- is what keeps a segment's count within its budget at a million contacts. Kept by the
-- application: each contact write sets the contact's columns (or removes the row when the
-- contact goes to the trash), each customer's metrics the figures; a full recompute writes it
-- afresh. A contact who never bought has 0 orders, revenue and margin and no scores; the margin
-- is NULL while an order has no cost.
CREATE TABLE contact_facts (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    owner_id TEXT,
    created_at BIGINT NOT NULL,
    orders BIGINT NOT NULL DEFAULT 0,
    revenue_e4 BIGINT NOT NULL DEFAULT 0,
    margin_e4 BIGINT,
    first_purchase_at BIGINT,
    last_purchase_at BIGINT,
    recency_score INTEGER,
    frequency_score INTEGER,
    monetary_score INTEGER,
    rfm_group TEXT,
    PRIMARY KEY (workspace_id, contact_id)
);
INSERT INTO contact_facts (workspace_id, contact_id, lifecycle_stage, owner_id, created_at, orders, revenue_e4, margin_e4,
    first_purchase_at, last_purchase_at, recency_score, frequency_score, monetary_score, rfm_group)
SELECT c.workspace_id, c.id, c.lifecycle_stage, c.owner_id, c.created_at, COALESCE(m.orders, 0), COALESCE(m.revenue_e4, 0),
    CASE WHEN m.contact_id IS NULL THEN 0 WHEN m.orders_without_cost = 0 THEN m.revenue_e4 - m.cost_e4 END,
    m.first_purchase_at, m.last_purchase_at, m.recency_score, m.frequency_score, m.monetary_score, m.rfm_group
FROM contacts c LEFT JOIN customer_metrics m ON m.workspace_id = c.workspace_id AND m.contact_id = c.id
WHERE c.deleted_at IS NULL;
