-- The RFM grid of each workspace, kept (issue #29): per recency and frequency score, how many
-- live customers have it and their revenue (×10⁴, summed as a double: a million customers'
-- revenue in rials may pass 2⁶³). A full recompute writes it from customer_metrics; each
-- order written, and each contact moved to or from the trash, moves one customer between
-- cells. The analytics page reads these few rows instead of grouping every customer.
CREATE TABLE rfm_cells (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    recency INTEGER NOT NULL,
    frequency INTEGER NOT NULL,
    customers BIGINT NOT NULL,
    revenue_e4 DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (workspace_id, recency, frequency)
);
