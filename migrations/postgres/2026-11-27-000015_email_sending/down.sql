DROP TABLE email_templates;
DROP TABLE email_settings;
