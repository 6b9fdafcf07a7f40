DROP TABLE timeline;
