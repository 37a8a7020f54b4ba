-- Each member event holds the member's state from its day until the day of
-- the member's next event (`superseded_on`, NULL for the latest). The
-- register on a day is then a range condition over one index, with no
-- window over every event of a subtree.
ALTER TABLE member_events ADD COLUMN superseded_on DATE;
UPDATE member_events SET superseded_on = (
    SELECT n.occurred_on FROM member_events n
    WHERE n.member_id = member_events.member_id
      AND (n.occurred_on > member_events.occurred_on
           OR (n.occurred_on = member_events.occurred_on AND n.id > member_events.id))
    ORDER BY n.occurred_on, n.id
    LIMIT 1
);
DROP INDEX member_events_cell_day;
CREATE INDEX member_events_cell_span ON member_events (organisation_after, occurred_on, superseded_on, status_after, member_id);
