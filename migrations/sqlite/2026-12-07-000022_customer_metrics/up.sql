-- Each customer's figures from their orders (issue #29): purchases, revenue and cost in the
-- base currency, and their RFM scores and group against the workspace's cut points; recomputed
-- in full on demand and kept current for one customer after each of their orders.
CREATE TABLE customer_metrics (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,
    first_purchase_at BIGINT NOT NULL,
    last_purchase_at BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    revenue_e4 BIGINT NOT NULL,
    -- Revenue and cost of the orders whose every line has a cost; the others are counted.
    costed_revenue_e4 BIGINT NOT NULL,
    cost_e4 BIGINT NOT NULL,
    orders_without_cost BIGINT NOT NULL,
    recency_score INTEGER,
    frequency_score INTEGER,
    monetary_score INTEGER,
    rfm_group TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);
CREATE INDEX customer_metrics_rfm ON customer_metrics(workspace_id, recency_score, frequency_score);
CREATE INDEX customer_metrics_group ON customer_metrics(workspace_id, rfm_group);

-- The workspace's analytical settings and state: the RFM cut points in use (quintiles of the
-- last full recompute, or thresholds an admin set), when metrics were last recomputed, and the
-- cohorts of that recompute.
CREATE TABLE analytics_state (
    workspace_id TEXT NOT NULL PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    rfm_cuts TEXT,
    rfm_fixed INTEGER NOT NULL DEFAULT 0,
    metrics_at BIGINT,
    -- Customers by the month of their first purchase, and what they bought each month since
    -- (JSON the application writes at a recompute).
    cohorts TEXT
);
