//! Dated periods of appointments (and other dated assignments), as plain functions.

use chrono::NaiveDate;

use crate::error::FieldError;
use crate::i18n::Msg;

/// Whether two periods share a day. `ends_on` is the day the period ends
/// (the holder no longer holds it from that day on), `None` when open, so a
/// re-appointment starting the day the previous term ended does not overlap.
pub fn periods_overlap(
    a_starts: NaiveDate,
    a_ends: Option<NaiveDate>,
    b_starts: NaiveDate,
    b_ends: Option<NaiveDate>,
) -> bool {
    a_ends.is_none_or(|end| b_starts < end) && b_ends.is_none_or(|end| a_starts < end)
}

/// An end may not precede the start (a period of negative length is a typo).
pub fn check_period(
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    if ends_on.is_some_and(|end| end < starts_on) {
        errors.push(FieldError::new(
            field,
            "ends_before_starts",
            Msg::EndsBeforeStarts.with("field", field),
        ));
    }
}

/// One cadre may hold several positions at once (kiêm nhiệm), but not the
/// same position twice in overlapping terms: a position has one holder per
/// term (Regulation QĐ 80-QĐ/TW 2022 on appointment, art. 2 and 29 —
/// appointment to a post for a term; a concurrent post is a different post).
pub fn same_position_overlaps(
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    others: &[(NaiveDate, Option<NaiveDate>)],
) -> bool {
    others
        .iter()
        .any(|(s, e)| periods_overlap(starts_on, ends_on, *s, *e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_term_starting_the_day_the_last_ended_does_not_overlap() {
        assert!(!periods_overlap(
            day("2015-01-01"),
            Some(day("2020-09-01")),
            day("2020-09-01"),
            None
        ));
    }

    #[test]
    fn open_terms_overlap_anything_after_their_start() {
        assert!(periods_overlap(
            day("2015-01-01"),
            None,
            day("2030-01-01"),
            None
        ));
        assert!(periods_overlap(
            day("2016-01-01"),
            Some(day("2016-06-01")),
            day("2015-01-01"),
            None
        ));
        assert!(!periods_overlap(
            day("2014-01-01"),
            Some(day("2015-01-01")),
            day("2015-01-01"),
            None
        ));
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let mut errors = Vec::new();
        check_period(
            day("2020-01-02"),
            Some(day("2020-01-01")),
            "ends_on",
            &mut errors,
        );
        assert_eq!(errors[0].code, "ends_before_starts");
        let mut errors = Vec::new();
        check_period(
            day("2020-01-02"),
            Some(day("2020-01-02")),
            "ends_on",
            &mut errors,
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn the_same_position_twice_at_once_is_an_overlap() {
        let others = [(day("2015-01-01"), Some(day("2020-01-01")))];
        assert!(same_position_overlaps(day("2019-01-01"), None, &others));
        assert!(!same_position_overlaps(day("2020-01-01"), None, &others));
    }
}
