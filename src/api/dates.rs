//! Days and instants written into JSON without chrono's formatting
//! machinery, for the records read most (members and their people).
//!
//! chrono serialises through `collect_str`: its `Display` writes a dozen
//! fragments, each escaped on its own by serde_json. For GET
//! /members/{id} that was 14 k of its 153 k instructions (callgrind).
//! The text is the same, byte for byte (see the tests); values chrono would
//! write otherwise (years outside 0–9999) still go through chrono.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Serialize, Serializer};

/// `2026-11-25T08:30:00.123456Z`, as chrono's RFC 3339 with the fewest
/// sub-second digits that hold the value.
pub fn instant<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let naive = at.naive_utc();
    let nanos = naive.nanosecond();
    if !(0..=9999).contains(&naive.year()) || nanos >= 1_000_000_000 {
        return at.serialize(serializer);
    }
    let mut text = String::with_capacity(32);
    push_day(&mut text, naive.date());
    text.push('T');
    push_digits(&mut text, naive.hour(), 2);
    text.push(':');
    push_digits(&mut text, naive.minute(), 2);
    text.push(':');
    push_digits(&mut text, naive.second(), 2);
    if nanos != 0 {
        text.push('.');
        if nanos % 1_000_000 == 0 {
            push_digits(&mut text, nanos / 1_000_000, 3);
        } else if nanos % 1_000 == 0 {
            push_digits(&mut text, nanos / 1_000, 6);
        } else {
            push_digits(&mut text, nanos, 9);
        }
    }
    text.push('Z');
    serializer.serialize_str(&text)
}

/// `2026-11-25`.
pub fn day<S: Serializer>(day: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    if !(0..=9999).contains(&day.year()) {
        return day.serialize(serializer);
    }
    let mut text = String::with_capacity(10);
    push_day(&mut text, *day);
    serializer.serialize_str(&text)
}

/// A day or `null`.
pub fn optional_day<S: Serializer>(
    value: &Option<NaiveDate>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => day(value, serializer),
        None => serializer.serialize_none(),
    }
}

fn push_day(text: &mut String, day: NaiveDate) {
    push_digits(text, day.year().unsigned_abs(), 4);
    text.push('-');
    push_digits(text, day.month(), 2);
    text.push('-');
    push_digits(text, day.day(), 2);
}

/// `value` in exactly `width` decimal digits (it has no more).
fn push_digits(text: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(Serialize)]
    struct Fast {
        #[serde(serialize_with = "instant")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "day")]
        on: NaiveDate,
        #[serde(serialize_with = "optional_day")]
        maybe: Option<NaiveDate>,
    }

    #[derive(Serialize)]
    struct Chrono {
        at: DateTime<Utc>,
        on: NaiveDate,
        maybe: Option<NaiveDate>,
    }

    fn both(at: DateTime<Utc>, on: NaiveDate, maybe: Option<NaiveDate>) -> (String, String) {
        (
            serde_json::to_string(&Fast { at, on, maybe }).unwrap_or_default(),
            serde_json::to_string(&Chrono { at, on, maybe }).unwrap_or_default(),
        )
    }

    #[test]
    fn writes_what_chrono_writes() {
        let base = Utc
            .with_ymd_and_hms(2026, 11, 5, 8, 3, 9)
            .single()
            .unwrap_or_default();
        let days = [
            NaiveDate::from_ymd_opt(2026, 1, 9),
            NaiveDate::from_ymd_opt(1930, 12, 31),
            NaiveDate::from_ymd_opt(7, 2, 3),
            NaiveDate::from_ymd_opt(-44, 3, 15),
            NaiveDate::from_ymd_opt(12345, 6, 7),
        ];
        for nanos in [0, 120_000_000, 123_000, 123_456_000, 5, 999_999_999] {
            let at = base + chrono::Duration::nanoseconds(nanos);
            for on in days.into_iter().flatten() {
                for maybe in [None, Some(on)] {
                    let (fast, chrono) = both(at, on, maybe);
                    assert_eq!(fast, chrono);
                }
            }
        }
        let far = Utc
            .with_ymd_and_hms(10500, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let (fast, chrono) = both(far, far.date_naive(), None);
        assert_eq!(fast, chrono);
    }
}
