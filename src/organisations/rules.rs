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
