//! Rules of rotations, as plain functions.

use crate::vocabularies::RotationStatus;

/// Whether a rotation may go from one status to another: planned → active →
/// completed, and planned or active → cancelled; staying put is no change.
/// Source: QĐ 65-QĐ/TW (2022) on rotating cadres, art. 6–8 (a rotation is
/// decided, carried out for a fixed term, then reviewed at its end; a
/// decision may be withdrawn before or during the term), and Decree
/// 138/2020/NĐ-CP art. 52–54 (transfer, secondment). A finished or
/// cancelled movement is history and does not reopen.
pub fn transition_allowed(from: RotationStatus, to: RotationStatus) -> bool {
    use RotationStatus::*;
    from == to
        || matches!(
            (from, to),
            (Planned, Active) | (Active, Completed) | (Planned | Active, Cancelled)
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use RotationStatus::*;

    #[test]
    fn a_rotation_goes_forward_only() {
        assert!(transition_allowed(Planned, Active));
        assert!(transition_allowed(Active, Completed));
        assert!(!transition_allowed(Active, Planned));
        assert!(!transition_allowed(Completed, Active));
        assert!(!transition_allowed(Planned, Completed));
    }

    #[test]
    fn only_open_rotations_can_be_cancelled() {
        assert!(transition_allowed(Planned, Cancelled));
        assert!(transition_allowed(Active, Cancelled));
        assert!(!transition_allowed(Completed, Cancelled));
        assert!(!transition_allowed(Cancelled, Planned));
    }

    #[test]
    fn staying_in_the_same_status_is_no_transition() {
        for status in RotationStatus::ALL {
            assert!(transition_allowed(*status, *status));
        }
    }
}
