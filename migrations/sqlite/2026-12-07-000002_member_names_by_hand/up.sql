-- New members enter the name-search index (member_names, FTS5) from the
-- store (`members::search::index_inserted_since`, `index_last_inserted`),
-- not from a trigger. A trigger
-- on members makes SQLite run every INSERT into members as a statement that
-- may need undoing part-way: it keeps a statement journal of each page the
-- statement changes, and opens a savepoint in FTS5, which flushes its
-- pending trigrams to disk at each one. An import of 16,666 members spent
-- 14 % of its time in the statement journal and 8 % in those flushes (perf).
-- Deletes and renames are rare and keep their triggers.
DROP TRIGGER member_names_insert;

-- The rename trigger fired on every UPDATE of a member, since a member's
-- changeset sets every column: each status change, transfer or card
-- deleted and re-added the same trigrams. Now only a changed name does.
DROP TRIGGER member_names_update;
CREATE TRIGGER member_names_update AFTER UPDATE OF search_name ON members
WHEN old.search_name IS NOT new.search_name BEGIN
    INSERT INTO member_names (member_names, rowid, search_name) VALUES ('delete', old.rowid, old.search_name);
    INSERT INTO member_names (rowid, search_name) VALUES (new.rowid, new.search_name);
END;
