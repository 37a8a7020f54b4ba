-- Name search matches the folded query anywhere in the folded name
-- (LIKE '%…%'), which no B-tree index serves: a rare name scanned every
-- member. An FTS5 trigram index answers such a LIKE from the trigrams of
-- the pattern. It is external-content (the text stays in members only) and
-- keyed by members' rowid. SQLite allows VACUUM to renumber the rowids of
-- a table without an INTEGER PRIMARY KEY; the service never runs one, and
-- after one, INSERT INTO member_names (member_names) VALUES ('rebuild')
-- makes the index whole again.
-- detail='none' keeps only which rows hold a trigram: FTS5 checks every
-- candidate against the LIKE itself, so positions would only cost space.
CREATE VIRTUAL TABLE member_names USING fts5(
    search_name,
    content = 'members',
    content_rowid = 'rowid',
    tokenize = 'trigram',
    detail = 'none'
);
INSERT INTO member_names (member_names) VALUES ('rebuild');

CREATE TRIGGER member_names_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_names (rowid, search_name) VALUES (new.rowid, new.search_name);
END;
CREATE TRIGGER member_names_delete AFTER DELETE ON members BEGIN
    INSERT INTO member_names (member_names, rowid, search_name) VALUES ('delete', old.rowid, old.search_name);
END;
CREATE TRIGGER member_names_update AFTER UPDATE OF search_name ON members BEGIN
    INSERT INTO member_names (member_names, rowid, search_name) VALUES ('delete', old.rowid, old.search_name);
    INSERT INTO member_names (rowid, search_name) VALUES (new.rowid, new.search_name);
END;
