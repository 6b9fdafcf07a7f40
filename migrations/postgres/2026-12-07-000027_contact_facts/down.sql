DROP TABLE contact_facts;
