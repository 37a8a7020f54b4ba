DROP TRIGGER member_names_update;
DROP TRIGGER member_names_delete;
DROP TRIGGER member_names_insert;
DROP TABLE member_names;
