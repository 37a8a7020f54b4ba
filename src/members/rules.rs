//! The Party's rules for members, as plain functions over plain values.

use chrono::{Datelike, Months, NaiveDate};

use crate::i18n::{Msg, Text};
use crate::vocabularies::MemberStatus;

/// A broken rule: its code and a sentence for people.
pub type Broken = (&'static str, Text);

/// The day probation ends and official membership begins: 12 months after
/// the admission decision, whatever the delay of the recognition decision.
/// Source: Party Charter art. 5; QĐ 24-QĐ/TW (2021) 4.1–4.3 (probation is
/// never extended: a member not recognised is removed).
pub fn official_from(admitted_on: NaiveDate) -> NaiveDate {
    admitted_on
        .checked_add_months(Months::new(12))
        .unwrap_or(admitted_on)
}

/// Checks a recognition decided on `decided_on`: the member must be
/// probationary and the 12 months over. Returns the official date.
pub fn check_recognition(
    status: MemberStatus,
    admitted_on: NaiveDate,
    decided_on: NaiveDate,
) -> Result<NaiveDate, Broken> {
    if status != MemberStatus::Probationary {
        return Err(("not_probationary", Msg::NotProbationary.into()));
    }
    let official_on = official_from(admitted_on);
    if decided_on < official_on {
        return Err((
            "probation_not_over",
            Msg::ProbationNotOver.with("date", official_on),
        ));
    }
    Ok(official_on)
}

/// Which status changes `POST /members/{id}/status` may make.
/// Sources: Charter art. 8 and QĐ 24-QĐ/TW 7 (exemption, decided by the
/// cell, for official members of old age or ill health); art. 8.2 (removal);
/// QĐ 22-QĐ/TW and HD 02-HD/TW on discipline (a probationary member can only
/// be reprimanded or warned, so expulsion needs an official member).
pub fn check_status_change(from: MemberStatus, to: MemberStatus) -> Result<(), Broken> {
    use MemberStatus::*;
    let allowed = match to {
        Exempt => from == Official,
        Official => from == Exempt,
        Removed | Resigned | Deceased => from.is_counted(),
        Expelled => matches!(from, Official | Exempt),
        Probationary | TransferredOut => false,
    };
    if allowed {
        Ok(())
    } else {
        Err((
            "invalid_status_transition",
            Msg::MemberStatusTransition
                .with("from", from)
                .with("to", to),
        ))
    }
}

/// Party badge milestones, in years of membership (QĐ 94-QĐ/TW 2017, art. 3).
pub const BADGE_MILESTONES: [u32; 12] = [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90];

/// Periods of membership counted in tuổi đảng: `(from, until)`, `until`
/// exclusive and `None` while still a member.
pub type Periods = Vec<(NaiveDate, Option<NaiveDate>)>;

/// The day the member's tuổi đảng reaches `years`: counted from the
/// admission decision, less the periods outside the Party (removal,
/// expulsion, gaps before re-admission). `None` if the member left before.
/// Source: QĐ 24-QĐ/TW (2021) 4.4; QĐ 94-QĐ/TW (2017) art. 3.
pub fn milestone_reached_on(periods: &Periods, years: u32) -> Option<NaiveDate> {
    let mut remaining_days: i64 = 0;
    let mut first = true;
    for (from, until) in periods {
        if first {
            let target = from.checked_add_months(Months::new(years * 12))?;
            remaining_days = (target - *from).num_days();
            first = false;
        }
        let reach = *from + chrono::Duration::days(remaining_days);
        match until {
            Some(end) if *end <= reach => remaining_days -= (*end - *from).num_days(),
            _ => return Some(reach),
        }
    }
    None
}

/// Checks a badge proposal or award dated `on` for a milestone reached on
/// `reached_on`: it must be reached by the end of that calendar year, or be
/// up to 12 months early (24 for 70 years and more) for serious illness.
/// Source: QĐ 94-QĐ/TW (2017) art. 4; HD 03-HD/BTCTW.
pub fn check_badge(
    milestone: u32,
    reached_on: Option<NaiveDate>,
    on: NaiveDate,
    early_for_illness: bool,
) -> Result<(), Broken> {
    if !BADGE_MILESTONES.contains(&milestone) {
        return Err((
            "invalid_milestone",
            Msg::InvalidMilestone.with("milestone", milestone),
        ));
    }
    let Some(reached_on) = reached_on else {
        return Err(("milestone_not_reached", Msg::LeftBeforeMilestone.into()));
    };
    let year_end = NaiveDate::from_ymd_opt(on.year(), 12, 31).unwrap_or(on);
    if reached_on <= year_end {
        return Ok(());
    }
    let window = if milestone >= 70 { 24 } else { 12 };
    let early_limit = on.checked_add_months(Months::new(window)).unwrap_or(on);
    if early_for_illness && reached_on <= early_limit {
        return Ok(());
    }
    Err((
        "milestone_not_reached",
        Msg::MilestoneReachedOn
            .with("milestone", milestone)
            .with("date", reached_on),
    ))
}

/// A temporary transfer lasts 3 months to 2 years (HD 12-HD/BTCTW 2022, 9.2).
pub fn check_temporary_duration(on: NaiveDate, until: NaiveDate) -> Result<(), Broken> {
    let shortest = on.checked_add_months(Months::new(3)).unwrap_or(on);
    let longest = on.checked_add_months(Months::new(24)).unwrap_or(on);
    if until < shortest || until > longest {
        return Err((
            "temporary_transfer_duration",
            Msg::TemporaryTransferDuration.into(),
        ));
    }
    Ok(())
}

/// The spans to change: given a member's events as (id, day, current
/// `superseded_on`) in (day, id) order, each event's state lasts until the
/// next event's day (the last one has no end). Returns only the events whose
/// stored end differs.
pub fn spans<Id: Clone>(
    events: &[(Id, NaiveDate, Option<NaiveDate>)],
) -> Vec<(Id, Option<NaiveDate>)> {
    let mut changed = Vec::new();
    for (i, (id, _, stored)) in events.iter().enumerate() {
        let until = events.get(i + 1).map(|next| next.1);
        if until != *stored {
            changed.push((id.clone(), until));
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemberStatus::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn official_membership_starts_twelve_months_after_admission() {
        assert_eq!(official_from(day("2016-03-15")), day("2017-03-15"));
        assert_eq!(official_from(day("2016-02-29")), day("2017-02-28"));
    }

    #[test]
    fn recognition_the_day_before_twelve_months_is_refused() {
        let refused = check_recognition(Probationary, day("2016-03-15"), day("2017-03-14"));
        assert_eq!(refused.map_err(|e| e.0), Err("probation_not_over"));
    }

    #[test]
    fn a_late_recognition_still_dates_from_twelve_months() {
        assert_eq!(
            check_recognition(Probationary, day("2016-03-15"), day("2017-05-01")),
            Ok(day("2017-03-15"))
        );
    }

    #[test]
    fn only_probationary_members_are_recognised() {
        assert!(check_recognition(Official, day("2016-03-15"), day("2017-05-01")).is_err());
    }

    #[test]
    fn probationary_members_cannot_be_expelled_or_exempted() {
        assert!(check_status_change(Probationary, Expelled).is_err());
        assert!(check_status_change(Probationary, Exempt).is_err());
        assert!(check_status_change(Probationary, Removed).is_ok());
    }

    #[test]
    fn exempt_members_can_return_to_official() {
        assert!(check_status_change(Exempt, Official).is_ok());
        assert!(check_status_change(Probationary, Official).is_err());
    }

    #[test]
    fn people_who_left_cannot_change_status() {
        assert!(check_status_change(Deceased, Resigned).is_err());
        assert!(check_status_change(TransferredOut, Deceased).is_err());
    }

    #[test]
    fn tuoi_dang_without_gaps_is_counted_from_admission() {
        let periods = vec![(day("1986-05-10"), None)];
        assert_eq!(milestone_reached_on(&periods, 30), Some(day("2016-05-10")));
    }

    #[test]
    fn periods_outside_the_party_push_the_milestone_back() {
        // Out for the 366 days of 2000: the milestone moves 366 days later.
        let periods = vec![
            (day("1986-05-10"), Some(day("2000-01-01"))),
            (day("2001-01-01"), None),
        ];
        assert_eq!(milestone_reached_on(&periods, 30), Some(day("2017-05-11")));
    }

    #[test]
    fn a_member_who_left_before_the_milestone_never_reaches_it() {
        let periods = vec![(day("1986-05-10"), Some(day("2010-01-01")))];
        assert_eq!(milestone_reached_on(&periods, 30), None);
    }

    #[test]
    fn a_badge_in_the_year_of_the_milestone_is_accepted() {
        assert!(check_badge(30, Some(day("2016-11-20")), day("2016-05-19"), false).is_ok());
    }

    #[test]
    fn a_badge_before_the_milestone_year_needs_illness_and_the_window() {
        assert!(check_badge(40, Some(day("2017-03-01")), day("2016-09-02"), false).is_err());
        assert!(check_badge(40, Some(day("2017-03-01")), day("2016-09-02"), true).is_ok());
        assert!(check_badge(40, Some(day("2018-03-01")), day("2016-09-02"), true).is_err());
        assert!(check_badge(70, Some(day("2018-03-01")), day("2016-09-02"), true).is_ok());
    }

    #[test]
    fn only_listed_milestones_exist() {
        assert_eq!(
            check_badge(35, Some(day("2016-01-01")), day("2016-09-02"), false).map_err(|e| e.0),
            Err("invalid_milestone")
        );
    }

    #[test]
    fn temporary_transfers_last_three_months_to_two_years() {
        assert!(check_temporary_duration(day("2016-01-01"), day("2016-03-31")).is_err());
        assert!(check_temporary_duration(day("2016-01-01"), day("2016-04-01")).is_ok());
        assert!(check_temporary_duration(day("2016-01-01"), day("2018-01-02")).is_err());
    }

    #[test]
    fn each_event_lasts_until_the_next_and_only_changes_are_written() {
        let d = |m, day| NaiveDate::from_ymd_opt(2016, m, day).expect("a valid day");
        // A recognition slotted between two events, with the old links.
        let events = [
            ("admitted", d(1, 10), Some(d(6, 1))),
            ("recognised", d(3, 1), None),
            ("card", d(6, 1), None),
        ];
        assert_eq!(
            spans(&events),
            vec![("admitted", Some(d(3, 1))), ("recognised", Some(d(6, 1)))]
        );
        // Two events on one day: the first lasts no day at all.
        let same_day = [("a", d(1, 1), Some(d(1, 1))), ("b", d(1, 1), None)];
        assert!(spans(&same_day).is_empty());
        assert!(spans::<&str>(&[]).is_empty());
    }
}
