DROP TABLE access_rules;
