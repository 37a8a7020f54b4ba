-- Two counts of the annual report read far more than they count (measured
-- on a 300 k-member province):
--
-- Recognitions fall in the year by their decision day, or by the event's
-- day where no decision day is recorded. No index held that expression,
-- so every event of the register was read: 205 ms. Indexed as the report
-- writes it, for recognitions only: 72 ms.
CREATE INDEX member_events_recognised_day ON member_events (organisation_after, (COALESCE(decided_on, occurred_on))) WHERE kind = 'recognised';
-- Members' ratings of a year were found through the organisation's index
-- and each assessment read from its table: 160-183 ms. The year and the
-- subject type first, with the rating in the index: 98 ms.
CREATE INDEX assessments_year_subject ON assessments (year, subject_type, organisation_id, rating) WHERE deleted_at IS NULL;
