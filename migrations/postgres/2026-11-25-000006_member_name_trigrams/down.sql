-- pg_trgm stays: other schemas of the database may use it.
DROP INDEX members_search_name_trgm;
