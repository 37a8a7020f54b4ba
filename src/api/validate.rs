//! Field checks shared by every resource: human codes, names, date order.

use chrono::NaiveDate;

use crate::error::FieldError;
use crate::i18n::Msg;

/// Checks a human code: 1–64 visible characters, no spaces.
pub fn check_code(code: &str, errors: &mut Vec<FieldError>) {
    if code.is_empty()
        || code.chars().count() > 64
        || code.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        errors.push(FieldError::new("code", "invalid_code", Msg::InvalidCode));
    }
}

/// Checks a display name: 1–255 characters after trimming.
pub fn check_name(name: &str, errors: &mut Vec<FieldError>) {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 255 {
        errors.push(FieldError::new(
            "name",
            "invalid_name",
            Msg::LengthBetween
                .with("field", "name")
                .with("min", 1)
                .with("max", 255),
        ));
    }
}

/// Checks that a dissolution does not precede the establishment.
pub fn check_dates(
    established: Option<NaiveDate>,
    dissolved: Option<NaiveDate>,
    errors: &mut Vec<FieldError>,
) {
    if let (Some(e), Some(d)) = (established, dissolved) {
        if d < e {
            errors.push(FieldError::new(
                "dissolved_on",
                "dissolved_before_established",
                Msg::DissolvedBeforeEstablished,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_with_spaces_are_refused() {
        let mut errors = Vec::new();
        check_code("MA 01", &mut errors);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn a_dissolution_before_establishment_is_refused() {
        let mut errors = Vec::new();
        let day = |s: &str| s.parse::<NaiveDate>().expect("date");
        check_dates(
            Some(day("2020-01-02")),
            Some(day("2020-01-01")),
            &mut errors,
        );
        assert_eq!(errors[0].code, "dissolved_before_established");
    }
}
