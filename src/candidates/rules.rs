//! The admission rules (kết nạp đảng viên), as one plain function.

use chrono::{Months, NaiveDate};

use crate::i18n::{Msg, Text};
use crate::people::rules::age_in_months;

/// Everything the admission rules look at, as plain values.
#[derive(Debug, Clone)]
pub struct AdmissionFacts {
    pub date_of_birth: NaiveDate,
    pub admitted_on: NaiveDate,
    pub age_exception_approved: bool,
    pub awareness_class_completed_on: Option<NaiveDate>,
    /// Distinct introducers named.
    pub introducers: usize,
    /// How many of them are official members on `admitted_on`.
    pub official_introducers: usize,
    pub youth_union_introduction: bool,
    pub general_education: Option<i32>,
    pub education_exception: bool,
    pub education_upgrade_required: bool,
    pub education_upgrade_completed_on: Option<NaiveDate>,
}

/// One broken rule: code, field, message.
pub type Broken = (&'static str, &'static str, Text);

/// Every admission rule the facts break (empty when admission may proceed).
///
/// Sources: Party Charter art. 1–4; QĐ 24-QĐ/TW (2021) 3.1 (age 18 to 60
/// counted in months; older needs the approval of a committee directly under
/// the Centre; lower-secondary education, with exceptions for mountain and
/// ethnic-minority areas), 3.2 (two official introducers who worked with the
/// applicant; a Youth Union resolution replaces one), 3.3 (the Party-awareness
/// class certificate, valid 5 years).
pub fn check(facts: &AdmissionFacts) -> Vec<Broken> {
    let mut broken = Vec::new();
    let age = age_in_months(facts.date_of_birth, facts.admitted_on);
    if age < 18 * 12 {
        broken.push(("too_young", "person.date_of_birth", Msg::TooYoung.into()));
    } else if age > 60 * 12 && !facts.age_exception_approved {
        broken.push(("too_old", "age_exception_approved", Msg::TooOld.into()));
    }
    let certificate_valid = facts.awareness_class_completed_on.is_some_and(|done| {
        let oldest = facts
            .admitted_on
            .checked_sub_months(Months::new(60))
            .unwrap_or(facts.admitted_on);
        done <= facts.admitted_on && done >= oldest
    });
    if !certificate_valid {
        broken.push((
            "awareness_class_missing",
            "awareness_class_completed_on",
            Msg::AwarenessClassMissing.into(),
        ));
    }
    let required = if facts.youth_union_introduction { 1 } else { 2 };
    if facts.introducers < required {
        broken.push((
            "introducers_required",
            "introducer_member_ids",
            Msg::IntroducersRequired.with("count", required),
        ));
    } else if facts.official_introducers < facts.introducers {
        broken.push((
            "introducer_not_official",
            "introducer_member_ids",
            Msg::IntroducerNotOfficial.into(),
        ));
    }
    let grade_ok = facts.general_education.is_some_and(|g| g >= 9) || facts.education_exception;
    let upgrade_pending = facts.education_upgrade_required
        && facts
            .education_upgrade_completed_on
            .is_none_or(|d| d > facts.admitted_on);
    if !grade_ok || upgrade_pending {
        broken.push((
            "education_upgrade_pending",
            "education_upgrade",
            if upgrade_pending {
                Msg::EducationUpgradePending.into()
            } else {
                Msg::EducationBelowGrade9.into()
            },
        ));
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn eligible() -> AdmissionFacts {
        AdmissionFacts {
            date_of_birth: day("1995-04-10"),
            admitted_on: day("2016-05-19"),
            age_exception_approved: false,
            awareness_class_completed_on: Some(day("2015-10-01")),
            introducers: 2,
            official_introducers: 2,
            youth_union_introduction: false,
            general_education: Some(12),
            education_exception: false,
            education_upgrade_required: false,
            education_upgrade_completed_on: None,
        }
    }

    fn codes(facts: &AdmissionFacts) -> Vec<&'static str> {
        check(facts).into_iter().map(|b| b.0).collect()
    }

    #[test]
    fn an_eligible_candidate_breaks_no_rule() {
        assert!(codes(&eligible()).is_empty());
    }

    #[test]
    fn the_day_before_the_eighteenth_birthday_is_too_young() {
        let facts = AdmissionFacts {
            date_of_birth: day("1998-05-20"),
            ..eligible()
        };
        assert_eq!(codes(&facts), vec!["too_young"]);
        let facts = AdmissionFacts {
            date_of_birth: day("1998-05-19"),
            ..eligible()
        };
        assert!(codes(&facts).is_empty());
    }

    #[test]
    fn over_sixty_needs_the_exception() {
        let facts = AdmissionFacts {
            date_of_birth: day("1956-01-01"),
            ..eligible()
        };
        assert_eq!(codes(&facts), vec!["too_old"]);
        let facts = AdmissionFacts {
            age_exception_approved: true,
            ..facts
        };
        assert!(codes(&facts).is_empty());
    }

    #[test]
    fn an_awareness_certificate_older_than_five_years_is_missing() {
        let facts = AdmissionFacts {
            awareness_class_completed_on: Some(day("2011-05-18")),
            ..eligible()
        };
        assert_eq!(codes(&facts), vec!["awareness_class_missing"]);
        let facts = AdmissionFacts {
            awareness_class_completed_on: Some(day("2011-05-19")),
            ..eligible()
        };
        assert!(codes(&facts).is_empty());
    }

    #[test]
    fn one_introducer_suffices_with_a_youth_union_introduction() {
        let facts = AdmissionFacts {
            introducers: 1,
            official_introducers: 1,
            ..eligible()
        };
        assert_eq!(codes(&facts), vec!["introducers_required"]);
        let facts = AdmissionFacts {
            youth_union_introduction: true,
            ..facts
        };
        assert!(codes(&facts).is_empty());
    }

    #[test]
    fn a_probationary_introducer_is_not_enough() {
        let facts = AdmissionFacts {
            official_introducers: 1,
            ..eligible()
        };
        assert_eq!(codes(&facts), vec!["introducer_not_official"]);
    }

    #[test]
    fn grade_eight_needs_the_exception_and_a_pending_upgrade_blocks() {
        let facts = AdmissionFacts {
            general_education: Some(8),
            ..eligible()
        };
        assert_eq!(codes(&facts), vec!["education_upgrade_pending"]);
        let facts = AdmissionFacts {
            education_exception: true,
            ..facts
        };
        assert!(codes(&facts).is_empty());
        let facts = AdmissionFacts {
            education_upgrade_required: true,
            ..eligible()
        };
        assert_eq!(codes(&facts), vec!["education_upgrade_pending"]);
    }
}
