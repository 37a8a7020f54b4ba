//! Rules of the organisation tree, as plain functions.

use chrono::NaiveDate;

use crate::vocabularies::OrganisationKind;

/// Whether an organisation of `kind` may sit under a parent of `parent` kind
/// (SPEC section 2). Source: Party Charter art. 11 and QĐ 294-QĐ/TW (2025):
/// grassroots organisations sit directly under the level above the grassroots
/// (district committees, or since July 2025 the province); a grassroots
/// committee may form sub-committees; cells hang under a grassroots committee
/// or a sub-committee.
pub fn parent_kind_allowed(kind: OrganisationKind, parent: Option<OrganisationKind>) -> bool {
    use OrganisationKind::*;
    match kind {
        ProvincialCommittee => parent.is_none(),
        DistrictCommittee => matches!(parent, None | Some(ProvincialCommittee)),
        GrassrootsCommittee | GrassrootsCell => {
            matches!(parent, Some(DistrictCommittee | ProvincialCommittee))
        }
        SubCommittee => matches!(parent, Some(GrassrootsCommittee)),
        SubordinateCell => matches!(parent, Some(GrassrootsCommittee | SubCommittee)),
    }
}

/// Whether a kind is a cell (chi bộ), the only kind members attach to.
pub fn is_cell(kind: OrganisationKind) -> bool {
    matches!(
        kind,
        OrganisationKind::GrassrootsCell | OrganisationKind::SubordinateCell
    )
}

/// Whether a kind is a grassroots organisation (tổ chức cơ sở đảng).
pub fn is_grassroots(kind: OrganisationKind) -> bool {
    matches!(
        kind,
        OrganisationKind::GrassrootsCommittee | OrganisationKind::GrassrootsCell
    )
}

/// Fewer than 3 official members: the cell is below the minimum and its
/// members should attach to another organisation (Charter art. 21.1).
pub fn below_minimum(kind: OrganisationKind, official_members: i64) -> bool {
    is_cell(kind) && official_members < 3
}

/// A grassroots cell reaching 30 members should become a grassroots
/// committee with subordinate cells (QĐ 294-QĐ/TW 2025, art. 21; Charter art. 21).
pub fn should_become_committee(kind: OrganisationKind, members: i64) -> bool {
    kind == OrganisationKind::GrassrootsCell && members >= 30
}

/// Whether an organisation with these dates is active on `day`: established
/// on or before it (or undated) and not dissolved on or before it.
pub fn active_on(
    established: Option<NaiveDate>,
    dissolved: Option<NaiveDate>,
    day: NaiveDate,
) -> bool {
    established.is_none_or(|e| e <= day) && dissolved.is_none_or(|d| d > day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrganisationKind::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn cells_hang_under_committees_only() {
        assert!(parent_kind_allowed(
            SubordinateCell,
            Some(GrassrootsCommittee)
        ));
        assert!(parent_kind_allowed(SubordinateCell, Some(SubCommittee)));
        assert!(!parent_kind_allowed(
            SubordinateCell,
            Some(DistrictCommittee)
        ));
        assert!(!parent_kind_allowed(SubordinateCell, None));
    }

    #[test]
    fn grassroots_organisations_sit_under_district_or_province() {
        assert!(parent_kind_allowed(GrassrootsCell, Some(DistrictCommittee)));
        assert!(parent_kind_allowed(
            GrassrootsCommittee,
            Some(ProvincialCommittee)
        ));
        assert!(!parent_kind_allowed(
            GrassrootsCell,
            Some(GrassrootsCommittee)
        ));
    }

    #[test]
    fn a_province_has_no_parent() {
        assert!(parent_kind_allowed(ProvincialCommittee, None));
        assert!(!parent_kind_allowed(
            ProvincialCommittee,
            Some(DistrictCommittee)
        ));
    }

    #[test]
    fn a_cell_with_two_official_members_is_below_minimum() {
        assert!(below_minimum(SubordinateCell, 2));
        assert!(!below_minimum(SubordinateCell, 3));
        assert!(!below_minimum(GrassrootsCommittee, 0));
    }

    #[test]
    fn a_grassroots_cell_of_thirty_should_become_a_committee() {
        assert!(!should_become_committee(GrassrootsCell, 29));
        assert!(should_become_committee(GrassrootsCell, 30));
        assert!(!should_become_committee(SubordinateCell, 40));
    }

    #[test]
    fn dissolution_day_is_no_longer_active() {
        assert!(active_on(
            Some(day("2010-01-01")),
            Some(day("2025-07-01")),
            day("2025-06-30")
        ));
        assert!(!active_on(
            Some(day("2010-01-01")),
            Some(day("2025-07-01")),
            day("2025-07-01")
        ));
        assert!(!active_on(Some(day("2010-01-01")), None, day("2009-12-31")));
    }
}
