//! Rules of the locality tree.

use crate::vocabularies::LocalityKind;

/// Whether a locality of `kind` may sit under a parent of `parent` kind.
/// Source: Law on Organisation of Local Government (2015, amended 2025):
/// provinces hold districts and, since July 2025, communes directly; communes,
/// wards and towns hold villages and residential groups.
pub fn parent_kind_allowed(kind: LocalityKind, parent: Option<LocalityKind>) -> bool {
    use LocalityKind::*;
    match kind {
        Province => parent.is_none(),
        District => matches!(parent, None | Some(Province)),
        Commune | Ward | Town => matches!(parent, None | Some(Province | District)),
        Village | ResidentialGroup => matches!(parent, Some(Commune | Ward | Town)),
    }
}

/// Villages in reports are villages and residential groups (SPEC section 2).
pub fn is_village(kind: LocalityKind) -> bool {
    matches!(kind, LocalityKind::Village | LocalityKind::ResidentialGroup)
}

#[cfg(test)]
mod tests {
    use super::*;
    use LocalityKind::*;

    #[test]
    fn communes_sit_under_a_province_since_the_2025_reform() {
        assert!(parent_kind_allowed(Commune, Some(Province)));
        assert!(parent_kind_allowed(Commune, Some(District)));
    }

    #[test]
    fn villages_need_a_commune_ward_or_town() {
        assert!(parent_kind_allowed(Village, Some(Commune)));
        assert!(!parent_kind_allowed(Village, Some(District)));
        assert!(!parent_kind_allowed(Village, None));
    }

    #[test]
    fn residential_groups_count_as_villages() {
        assert!(is_village(ResidentialGroup));
        assert!(!is_village(Commune));
    }
}
