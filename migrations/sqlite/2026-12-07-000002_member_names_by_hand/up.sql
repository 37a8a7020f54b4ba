-- New members enter the name-search index (member_names, FTS5) from the
-- store (`members::search::index_inserted`), not from a trigger. A trigger
-- on members makes SQLite run every INSERT into members as a statement that
-- may need undoing part-way: it keeps a statement journal of each page the
-- statement changes, and opens a savepoint in FTS5, which flushes its
-- pending trigrams to disk at each one. An import of 16,666 members spent
-- 14 % of its time in the statement journal and 8 % in those flushes (perf).
-- Deletes and renames are rare and keep their triggers.
DROP TRIGGER member_names_insert;
