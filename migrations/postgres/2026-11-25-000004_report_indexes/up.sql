-- Reports attribute events to the cells of a subtree; the (kind, day)
-- index made planners scan every event of a kind instead.
DROP INDEX member_events_kind_day;
CREATE INDEX member_events_cell_day ON member_events (organisation_after, occurred_on);
CREATE INDEX awards_recipient ON awards (recipient_type, recipient_id, year);
