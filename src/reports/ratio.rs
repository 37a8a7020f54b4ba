//! Ratios as the reports give them: whole, `{count, of, percent}`.

use serde::Serialize;
use utoipa::ToSchema;

/// `count` of `of`, with the percent rounded half away from zero to one
/// decimal (`null` when `of` is 0).
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"count": 152, "of": 120, "percent": 126.7}))]
pub struct Ratio {
    pub count: i64,
    pub of: i64,
    pub percent: Option<f64>,
}

impl Ratio {
    pub fn new(count: i64, of: i64) -> Self {
        Self {
            count,
            of,
            percent: percent(count, of),
        }
    }
}

/// Integer arithmetic, so 2.05 % rounds to 2.1 and never to 2.0 by a float error.
pub fn percent(count: i64, of: i64) -> Option<f64> {
    if of == 0 {
        return None;
    }
    let numerator = count.abs() as i128 * 2000;
    let denominator = of.abs() as i128 * 2;
    let tenths = (numerator + of.abs() as i128) / denominator;
    let sign = if (count < 0) != (of < 0) { -1.0 } else { 1.0 };
    Some(sign * tenths as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_articles_ratios_round_as_printed() {
        assert_eq!(percent(152, 120), Some(126.7));
        assert_eq!(percent(85, 136), Some(62.5));
        assert_eq!(percent(50, 136), Some(36.8));
        assert_eq!(percent(49, 49), Some(100.0));
    }

    #[test]
    fn a_half_rounds_away_from_zero() {
        assert_eq!(percent(1, 8), Some(12.5));
        assert_eq!(percent(1, 16), Some(6.3));
        assert_eq!(percent(41, 2000), Some(2.1));
    }

    #[test]
    fn nothing_of_nothing_has_no_percent() {
        assert_eq!(Ratio::new(0, 0).percent, None);
    }
}
