-- Segments (issue #29): saved rules over contacts' fields, tags, custom fields, metrics and
-- life events; dynamic (members are whoever matches when read) or a snapshot (members frozen
-- when evaluated). The members as of the last evaluation are kept, and who entered and left.
CREATE TABLE segments (
    id TEXT NOT NULL PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    -- JSON: the rule tree as the API takes it ({"all": [...]} / {"any": [...]} / conditions).
    rules TEXT NOT NULL,
    -- dynamic | snapshot
    kind TEXT NOT NULL,
    shared INTEGER NOT NULL,
    -- Who made it; none for an API key (its segments are shared).
    owner_id TEXT,
    -- Members at the last evaluation, and when that was.
    members BIGINT NOT NULL,
    evaluated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX segments_name ON segments(workspace_id, name);
-- The members as of the last evaluation: a snapshot's members, a dynamic segment's last known.
CREATE TABLE segment_members (
    segment_id TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (segment_id, contact_id)
);
-- Who entered (entered = 1) and left (0) at each evaluation.
CREATE TABLE segment_changes (
    segment_id TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    contact_id TEXT NOT NULL,
    entered INTEGER NOT NULL,
    PRIMARY KEY (segment_id, at, contact_id)
);
CREATE INDEX segment_changes_contact ON segment_changes(segment_id, contact_id, at);
-- Rules on a purchase's channel and on a product bought.
CREATE INDEX orders_channel ON orders(workspace_id, channel, contact_id);
DROP INDEX order_lines_product;
CREATE INDEX order_lines_product ON order_lines(workspace_id, product_id, order_id);
