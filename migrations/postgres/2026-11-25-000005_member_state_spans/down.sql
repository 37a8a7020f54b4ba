DROP INDEX member_events_cell_span;
CREATE INDEX member_events_cell_day ON member_events (organisation_after, occurred_on);
ALTER TABLE member_events DROP COLUMN superseded_on;
