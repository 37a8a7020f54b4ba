-- The annual report counts the classes an organisation's subtree ran in a
-- year: organiser IN (…) AND starts_on BETWEEN …. With the organiser alone
-- indexed, SQLite chose the starts_on index instead, and read every class
-- of the year (39 ms of a 53 ms district report at 5.5 M members). One
-- index on both serves the equality and the range together.
DROP INDEX training_classes_organiser;
CREATE INDEX training_classes_organiser_day ON training_classes (organiser_organisation_id, starts_on);
