CREATE TRIGGER member_names_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_names (rowid, search_name) VALUES (new.rowid, new.search_name);
END;
