DROP TABLE clv_fits;
