-- SQLite only (see there): PostgreSQL's trigram index is on members itself.
SELECT 1;
