DROP TABLE deal_stage_history;
DROP TABLE deal_lines;
DROP TABLE deal_contacts;
DROP TABLE deals;
DROP TABLE pipeline_stages;
DROP TABLE pipelines;
DROP TABLE products;
