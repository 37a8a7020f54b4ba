//! Rules for personal records.

use chrono::{Datelike, NaiveDate};

use crate::vocabularies::Gender;

/// Whether a national id has the form of a citizen id: exactly 12 digits.
pub fn national_id_well_formed(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Why a well-formed citizen id does not fit the person, if it does not.
///
/// Source: Circular 07/2016/TT-BCA art. 7 (citizen id numbering), kept by
/// Decree 137/2015 and the Law on Identification 2023: digits 1–3 are the
/// province of birth registration, digit 4 encodes gender and century
/// (0/1 male/female born 1900–1999, 2/3 2000–2099, 4/5 2100–2199), digits
/// 5–6 are the last two digits of the birth year.
pub fn national_id_mismatch(
    id: &str,
    gender: Gender,
    date_of_birth: NaiveDate,
) -> Option<&'static str> {
    if !national_id_well_formed(id) {
        return Some("national_id_malformed");
    }
    let digit = |i: usize| u32::from(id.as_bytes()[i] - b'0');
    let year = date_of_birth.year();
    let century_code = match year {
        1900..=1999 => 0,
        2000..=2099 => 2,
        2100..=2199 => 4,
        _ => return Some("national_id_century_mismatch"),
    };
    let gender_code = u32::from(gender == Gender::Female);
    if digit(3) != century_code + gender_code {
        return Some(if digit(3) / 2 * 2 == century_code {
            "national_id_gender_mismatch"
        } else {
            "national_id_century_mismatch"
        });
    }
    let year_digits = (year % 100) as u32;
    if digit(4) * 10 + digit(5) != year_digits {
        return Some("national_id_birth_year_mismatch");
    }
    None
}

/// Full months of age on `on` ("18 to 60, in months": QĐ 24-QĐ/TW 2021, 3.1).
pub fn age_in_months(date_of_birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut months =
        (on.year() - date_of_birth.year()) * 12 + on.month() as i32 - date_of_birth.month() as i32;
    if on.day() < date_of_birth.day() {
        months -= 1;
    }
    months
}

/// Grade of general education, 0–12 (shown as "9/12").
pub fn general_education_valid(grade: i32) -> bool {
    (0..=12).contains(&grade)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_citizen_id_encodes_gender_century_and_birth_year() {
        assert_eq!(
            national_id_mismatch("011090001234", Gender::Male, day("1990-05-01")),
            None
        );
        assert_eq!(
            national_id_mismatch("011190001234", Gender::Female, day("1990-05-01")),
            None
        );
        assert_eq!(
            national_id_mismatch("011301001234", Gender::Female, day("2001-05-01")),
            None
        );
    }

    #[test]
    fn a_wrong_gender_digit_is_reported() {
        assert_eq!(
            national_id_mismatch("011190001234", Gender::Male, day("1990-05-01")),
            Some("national_id_gender_mismatch")
        );
    }

    #[test]
    fn a_wrong_century_or_year_is_reported() {
        assert_eq!(
            national_id_mismatch("011290001234", Gender::Male, day("1990-05-01")),
            Some("national_id_century_mismatch")
        );
        assert_eq!(
            national_id_mismatch("011091001234", Gender::Male, day("1990-05-01")),
            Some("national_id_birth_year_mismatch")
        );
    }

    #[test]
    fn ids_that_are_not_twelve_digits_are_malformed() {
        assert!(!national_id_well_formed("01109000123"));
        assert!(!national_id_well_formed("01109000123A"));
        assert!(national_id_well_formed("011090001234"));
    }

    #[test]
    fn age_counts_full_months() {
        assert_eq!(age_in_months(day("2000-06-15"), day("2018-06-14")), 215);
        assert_eq!(age_in_months(day("2000-06-15"), day("2018-06-15")), 216);
    }
}
