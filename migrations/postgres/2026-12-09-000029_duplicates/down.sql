DROP INDEX segment_members_contact;
DROP INDEX leads_contact;
DROP TABLE merges;
DROP TABLE duplicate_pairs;
