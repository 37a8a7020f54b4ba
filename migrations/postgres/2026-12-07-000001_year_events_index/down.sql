DROP INDEX members_deleted;
DROP INDEX member_events_year_kinds;
