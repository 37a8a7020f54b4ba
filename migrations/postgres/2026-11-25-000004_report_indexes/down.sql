DROP INDEX awards_recipient;
DROP INDEX member_events_cell_day;
CREATE INDEX member_events_kind_day ON member_events (kind, occurred_on);
