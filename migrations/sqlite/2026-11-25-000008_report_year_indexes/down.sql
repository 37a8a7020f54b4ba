DROP INDEX assessments_year_subject;
DROP INDEX member_events_recognised_day;
