-- Name search matches the folded query anywhere in the folded name
-- (LIKE '%…%'), which no B-tree index serves: a rare name scanned every
-- member. A trigram GIN index answers such a LIKE; the planner still picks
-- the id index when matches are dense enough to fill a page early.
--
-- Extensions are per database, not per schema: pg_trgm goes to public so
-- that it outlives any one schema (tests run each in a schema of its own,
-- dropped afterwards). The lock makes concurrent first migrations of one
-- database create it once. Where it was installed already, in whatever
-- schema, the index names its operator class there.
SELECT pg_advisory_xact_lock(727130006);
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
DO $$
DECLARE
    trgm_schema name;
BEGIN
    SELECT n.nspname INTO STRICT trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    EXECUTE format(
        'CREATE INDEX members_search_name_trgm ON members USING gin (search_name %I.gin_trgm_ops)',
        trgm_schema
    );
END
$$;
