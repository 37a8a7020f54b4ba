//! Rules of training classes and enrolments, as plain functions.

use chrono::NaiveDate;

/// Whether one more enrolment would exceed the class's capacity, counting
/// the enrolments that are not withdrawn (a withdrawn seat is free again).
/// `None` capacity means the organiser set no limit.
pub fn class_full(capacity: Option<i32>, taken: i64) -> bool {
    capacity.is_some_and(|c| taken >= i64::from(c))
}

/// The awareness-class date to store on a candidate after completing a
/// Party-awareness class, or `None` to leave it. The certificate is valid 5
/// years (QĐ 24-QĐ/TW 2021, 3.3; HD 12-HD/BTCTW 2022), so the latest
/// completion is the one that counts; an older one never replaces it.
pub fn awareness_date_to_set(
    existing: Option<NaiveDate>,
    completed_on: NaiveDate,
) -> Option<NaiveDate> {
    match existing {
        Some(day) if day >= completed_on => None,
        _ => Some(completed_on),
    }
}

/// One CSV cell: text starting with `=`, `+`, `-` or `@` is prefixed with a
/// single quote so a spreadsheet never runs it as a formula (OWASP "CSV
/// injection"); cells with separators, quotes or line breaks are quoted.
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_class_is_full_at_capacity() {
        assert!(!class_full(Some(2), 1));
        assert!(class_full(Some(2), 2));
        assert!(!class_full(None, 10_000));
    }

    #[test]
    fn the_latest_completion_counts() {
        assert_eq!(
            awareness_date_to_set(None, day("2016-05-01")),
            Some(day("2016-05-01"))
        );
        assert_eq!(
            awareness_date_to_set(Some(day("2014-05-01")), day("2016-05-01")),
            Some(day("2016-05-01"))
        );
        assert_eq!(
            awareness_date_to_set(Some(day("2016-05-01")), day("2015-05-01")),
            None
        );
    }

    #[test]
    fn formulas_are_defused_and_separators_quoted() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("@SUM"), "'@SUM");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("Lò Văn Pọm"), "Lò Văn Pọm");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }
}
