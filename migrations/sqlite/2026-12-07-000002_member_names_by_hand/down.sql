DROP TRIGGER member_names_update;
CREATE TRIGGER member_names_update AFTER UPDATE OF search_name ON members BEGIN
    INSERT INTO member_names (member_names, rowid, search_name) VALUES ('delete', old.rowid, old.search_name);
    INSERT INTO member_names (rowid, search_name) VALUES (new.rowid, new.search_name);
END;
CREATE TRIGGER member_names_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_names (rowid, search_name) VALUES (new.rowid, new.search_name);
END;
