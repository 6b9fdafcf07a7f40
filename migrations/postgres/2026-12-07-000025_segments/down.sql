DROP INDEX order_lines_product;
CREATE INDEX order_lines_product ON order_lines(workspace_id, product_id);
DROP INDEX orders_channel;
DROP TABLE segment_changes;
DROP TABLE segment_members;
DROP TABLE segments;
