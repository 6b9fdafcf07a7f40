-- Orders (purchases, upserted by an external system's id) with their lines, and dated
-- exchange rates into the workspace's base currency. Rates are scaled by 10^12.
CREATE TABLE exchange_rates (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    currency TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    rate_e12 BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, currency, valid_from)
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    external_id TEXT,
    contact_id TEXT,
    company_id TEXT,
    deal_id TEXT,
    ordered_at BIGINT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    subtotal_e4 BIGINT NOT NULL,
    shipping_e4 BIGINT NOT NULL,
    tax_e4 BIGINT NOT NULL,
    total_e4 BIGINT NOT NULL,
    cost_e4 BIGINT,
    base_total_e4 BIGINT NOT NULL,
    line_items TEXT NOT NULL,
    owner_id TEXT,
    notes TEXT,
    sort_name TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    UNIQUE (workspace_id, number),
    UNIQUE (workspace_id, external_id)
);
CREATE INDEX orders_created ON orders(workspace_id, created_at, id);
CREATE INDEX orders_updated ON orders(workspace_id, updated_at, id);
CREATE INDEX orders_time ON orders(workspace_id, ordered_at, id);
CREATE INDEX orders_contact ON orders(workspace_id, contact_id, ordered_at);
CREATE INDEX orders_company ON orders(workspace_id, company_id, ordered_at);
CREATE INDEX orders_owner ON orders(workspace_id, owner_id, ordered_at, id);

CREATE TABLE order_lines (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    product_id TEXT REFERENCES products(id),
    name TEXT NOT NULL,
    quantity_e4 BIGINT NOT NULL,
    unit_price_e4 BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL,
    unit_cost_e4 BIGINT,
    total_e4 BIGINT NOT NULL
);
CREATE INDEX order_lines_order ON order_lines(order_id, position);
CREATE INDEX order_lines_product ON order_lines(workspace_id, product_id);

INSERT INTO counters (workspace_id, name, value) SELECT id, 'order', 0 FROM workspaces;
