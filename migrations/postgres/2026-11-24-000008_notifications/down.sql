DROP TABLE follows;
DROP TABLE notifications;
