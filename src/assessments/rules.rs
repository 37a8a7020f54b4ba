//! Rating rules, as plain functions.

/// First year rated on the 100-point scale (QĐ 366-QĐ/TW, 08/2025, applied
/// to the 2025 ratings).
pub const POINTS_FROM_YEAR: i32 = 2025;

/// First year the `excellent` share is capped (QĐ 132-QĐ/TW, 2018).
pub const QUOTA_FROM_YEAR: i32 = 2018;

/// Whether points may be given for a rating of `year`: only on the
/// 100-point scale, from 2025 (QĐ 366-QĐ/TW 2025).
pub fn points_applicable(year: i32) -> bool {
    year >= POINTS_FROM_YEAR
}

/// Whether the `excellent` ratings exceed 20% of the `good` ones among the
/// subjects rated under one organisation. Source: QĐ 132-QĐ/TW (2018), art.
/// 4 and 6 ("hoàn thành xuất sắc nhiệm vụ" is not more than 20% of those
/// rated "hoàn thành tốt nhiệm vụ"), kept by QĐ 124-QĐ/TW (2023). Before 2018
/// no such cap existed (HD 27/2014), so it is never exceeded.
pub fn excellent_quota_exceeded(year: i32, excellent: i64, good: i64) -> bool {
    // excellent > 20% of good, in integers: 5 × excellent > good.
    year >= QUOTA_FROM_YEAR && excellent * 5 > good
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_for_2025_on() {
        assert!(!points_applicable(2024));
        assert!(points_applicable(2025));
    }

    #[test]
    fn twenty_percent_of_good_is_the_cap() {
        assert!(!excellent_quota_exceeded(2018, 2, 10));
        assert!(excellent_quota_exceeded(2018, 3, 10));
        assert!(excellent_quota_exceeded(2020, 1, 0));
        assert!(!excellent_quota_exceeded(2018, 0, 0));
    }

    #[test]
    fn no_cap_before_2018() {
        assert!(!excellent_quota_exceeded(2017, 30, 10));
    }
}
