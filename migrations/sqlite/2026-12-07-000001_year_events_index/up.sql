-- PostgreSQL only (see there): SQLite reads the year's events cell by cell
-- through member_events_cell_span, in day order, and needs no other index.
SELECT 1;
