DROP TABLE admission_quotas;
DROP TABLE candidates;
DROP TABLE member_events;
DROP TABLE members;
DROP TABLE people;
