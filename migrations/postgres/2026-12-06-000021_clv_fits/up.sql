-- The workspace's customer-lifetime-value fit (issue #29): the last one made, as the API shows
-- it. (The fit reads each customer's orders through orders_contact.)
CREATE TABLE clv_fits (
    workspace_id TEXT NOT NULL PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    fitted_at BIGINT NOT NULL,
    body TEXT NOT NULL
);
