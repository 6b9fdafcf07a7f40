DELETE FROM counters WHERE name = 'order';
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE exchange_rates;
