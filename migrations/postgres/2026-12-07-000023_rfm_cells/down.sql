DROP TABLE rfm_cells;
