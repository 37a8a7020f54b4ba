//! Rules of participations, as plain functions.

/// The masses who attended cannot outnumber those invited: attendance is
/// reported against the invitation list (HD 02-HD/BTGTW on studying and
/// implementing resolutions — the report gives "số quần chúng tham gia" of
/// those invited, so attended ≤ invited).
pub fn attended_exceeds_invited(invited: i32, attended: i32) -> bool {
    attended > invited
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attendance_is_within_the_invitation() {
        assert!(!attended_exceeds_invited(100, 100));
        assert!(attended_exceeds_invited(100, 101));
        assert!(!attended_exceeds_invited(0, 0));
    }
}
