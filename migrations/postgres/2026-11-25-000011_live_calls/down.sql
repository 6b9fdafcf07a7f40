DROP TABLE calls;
DROP TABLE live_events;
