DROP TABLE analytics_state;
DROP TABLE customer_metrics;
