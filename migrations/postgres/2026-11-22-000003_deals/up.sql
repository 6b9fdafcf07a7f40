-- Products, pipelines with ordered stages and rules, deals with contacts, line items and
-- stage history. Money is BIGINT scaled by 10^4; quantities too; discounts in basis points.
CREATE TABLE products (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    category TEXT,
    currency TEXT NOT NULL,
    unit_price_e4 BIGINT NOT NULL,
    unit_cost_e4 BIGINT,
    active INTEGER NOT NULL,
    description TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, sku)
);
CREATE INDEX products_name ON products(workspace_id, sort_name, id);
CREATE INDEX products_created ON products(workspace_id, created_at, id);

CREATE TABLE pipelines (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    is_default INTEGER NOT NULL,
    loss_reasons TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE pipeline_stages (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position BIGINT NOT NULL,
    probability BIGINT NOT NULL,
    kind TEXT NOT NULL,
    required_fields TEXT NOT NULL
);
CREATE INDEX pipeline_stages_pipeline ON pipeline_stages(pipeline_id, position);

CREATE TABLE deals (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id),
    stage_id TEXT NOT NULL REFERENCES pipeline_stages(id),
    status TEXT NOT NULL,
    amount_e4 BIGINT,
    currency TEXT NOT NULL,
    cost_e4 BIGINT,
    close_date TEXT,
    owner_id TEXT,
    company_id TEXT REFERENCES companies(id),
    source TEXT,
    loss_reason TEXT,
    closed_at BIGINT,
    stage_entered_at BIGINT NOT NULL,
    contacts TEXT NOT NULL,
    line_items TEXT NOT NULL,
    tags TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX deals_created ON deals(workspace_id, created_at, id);
CREATE INDEX deals_updated ON deals(workspace_id, updated_at, id);
CREATE INDEX deals_name ON deals(workspace_id, sort_name, id);
CREATE INDEX deals_stage ON deals(workspace_id, stage_id, created_at, id);
CREATE INDEX deals_owner ON deals(workspace_id, owner_id, created_at, id);
CREATE INDEX deals_company ON deals(workspace_id, company_id);
CREATE INDEX deals_close ON deals(workspace_id, status, close_date);

CREATE TABLE deal_contacts (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    deal_id TEXT NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    role TEXT,
    PRIMARY KEY (deal_id, contact_id)
);
CREATE INDEX deal_contacts_contact ON deal_contacts(workspace_id, contact_id);

CREATE TABLE deal_lines (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    deal_id TEXT NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    product_id TEXT REFERENCES products(id),
    name TEXT NOT NULL,
    quantity_e4 BIGINT NOT NULL,
    unit_price_e4 BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL,
    unit_cost_e4 BIGINT,
    total_e4 BIGINT NOT NULL
);
CREATE INDEX deal_lines_deal ON deal_lines(deal_id, position);
CREATE INDEX deal_lines_product ON deal_lines(workspace_id, product_id);

CREATE TABLE deal_stage_history (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    deal_id TEXT NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    pipeline_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    left_at BIGINT,
    actor_id TEXT
);
CREATE INDEX deal_stage_history_deal ON deal_stage_history(deal_id, entered_at);
CREATE INDEX deal_stage_history_stage ON deal_stage_history(workspace_id, stage_id, entered_at);
