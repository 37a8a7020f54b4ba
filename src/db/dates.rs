//! Days and instants read from SQLite's text without chrono's parser, for
//! the rows read most (members and their people): a field reads through
//! them with `#[diesel(deserialize_as = Day)]` (or `Instant`, and the
//! `Maybe…` forms for nullable columns).
//!
//! diesel reads an SQLite `Timestamp` by trying chrono's `parse_from_str`
//! with one format after another, and a `Date` with one: for GET
//! /members/{id} those were 16 k of its 145 k instructions (callgrind),
//! for eleven values. The text diesel writes has one fixed layout,
//! `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS[.fraction]`; anything else goes to
//! diesel's own parser, so every value diesel reads is read the same.
//! PostgreSQL's binary values go straight to diesel.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Date, Nullable, Timestamp};
use diesel::sqlite::Sqlite;

use super::DbBackend;

/// A day read from a `Date` column.
#[derive(FromSqlRow)]
pub struct Day(NaiveDate);

/// An instant read from a `Timestamp` column.
#[derive(FromSqlRow)]
pub struct Instant(NaiveDateTime);

/// A day read from a nullable `Date` column.
#[derive(FromSqlRow)]
pub struct MaybeDay(Option<NaiveDate>);

/// An instant read from a nullable `Timestamp` column.
#[derive(FromSqlRow)]
pub struct MaybeInstant(Option<NaiveDateTime>);

impl From<Day> for NaiveDate {
    fn from(day: Day) -> Self {
        day.0
    }
}

impl From<Instant> for NaiveDateTime {
    fn from(instant: Instant) -> Self {
        instant.0
    }
}

impl From<MaybeDay> for Option<NaiveDate> {
    fn from(day: MaybeDay) -> Self {
        day.0
    }
}

impl From<MaybeInstant> for Option<NaiveDateTime> {
    fn from(instant: MaybeInstant) -> Self {
        instant.0
    }
}

/// `n` ASCII digits at the start of `bytes`, as a number.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// `YYYY-MM-DD`, exactly.
fn parse_day(text: &[u8]) -> Option<NaiveDate> {
    if text.len() != 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&text[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&text[5..7])?, digits(&text[8..10])?)
}

/// `YYYY-MM-DD HH:MM:SS`, then optionally `.` and one to nine digits.
fn parse_instant(text: &[u8]) -> Option<NaiveDateTime> {
    if text.len() < 19 || text[10] != b' ' || text[13] != b':' || text[16] != b':' {
        return None;
    }
    let day = parse_day(&text[..10])?;
    let nanos = match &text[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(
        digits(&text[11..13])?,
        digits(&text[14..16])?,
        digits(&text[17..19])?,
        nanos,
    )?;
    Some(day.and_time(time))
}

impl FromSql<Date, Sqlite> for Day {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        match parse_day(value.read_text().as_bytes()) {
            Some(day) => Ok(Self(day)),
            None => Ok(Self(<NaiveDate as FromSql<Date, Sqlite>>::from_sql(value)?)),
        }
    }
}

impl FromSql<Timestamp, Sqlite> for Instant {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        match parse_instant(value.read_text().as_bytes()) {
            Some(instant) => Ok(Self(instant)),
            None => Ok(Self(
                <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value)?,
            )),
        }
    }
}

impl FromSql<Date, Pg> for Day {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(Self(<NaiveDate as FromSql<Date, Pg>>::from_sql(value)?))
    }
}

impl FromSql<Timestamp, Pg> for Instant {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(Self(<NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(
            value,
        )?))
    }
}

impl FromSql<Date, DbBackend> for Day {
    fn from_sql(value: <DbBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Date>()
    }
}

impl FromSql<Timestamp, DbBackend> for Instant {
    fn from_sql(value: <DbBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

/// The nullable forms, on every backend: NULL is `None`, a value reads as
/// the non-null form does.
macro_rules! nullable {
    ($maybe:ident, $one:ident, $sql:ty, $($backend:ty),+) => {$(
        impl FromSql<Nullable<$sql>, $backend> for $maybe {
            fn from_sql(value: <$backend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                Ok(Self(Some(<$one as FromSql<$sql, $backend>>::from_sql(value)?.0)))
            }

            fn from_nullable_sql(
                value: Option<<$backend as Backend>::RawValue<'_>>,
            ) -> deserialize::Result<Self> {
                match value {
                    Some(value) => <Self as FromSql<Nullable<$sql>, $backend>>::from_sql(value),
                    None => Ok(Self(None)),
                }
            }
        }
    )+};
}

nullable!(MaybeDay, Day, Date, Sqlite, Pg, DbBackend);
nullable!(MaybeInstant, Instant, Timestamp, Sqlite, Pg, DbBackend);

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_day(text: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    }

    fn chrono_instant(text: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()
    }

    #[test]
    fn days_read_as_chrono_reads_them() {
        for text in [
            "2016-12-31",
            "1930-02-03",
            "2024-02-29",
            "0001-01-01",
            "9999-12-31",
        ] {
            assert_eq!(parse_day(text.as_bytes()), chrono_day(text), "{text}");
            assert!(parse_day(text.as_bytes()).is_some(), "{text}");
        }
    }

    #[test]
    fn instants_read_as_chrono_reads_them_whatever_the_fraction() {
        for text in [
            "2026-11-25 17:13:49",
            "2026-11-25 17:13:49.9",
            "2026-11-25 17:13:49.947",
            "2026-11-25 17:13:49.947685",
            "2026-11-25 17:13:49.123456789",
            "2000-02-29 00:00:00.000001",
        ] {
            assert_eq!(
                parse_instant(text.as_bytes()),
                chrono_instant(text),
                "{text}"
            );
            assert!(parse_instant(text.as_bytes()).is_some(), "{text}");
        }
    }

    #[test]
    fn other_layouts_and_impossible_values_are_left_to_diesel() {
        for text in [
            "2023-02-29",
            "2016-13-01",
            "16-12-31",
            "2016/12/31",
            "2016-12-3x",
            "",
        ] {
            assert_eq!(parse_day(text.as_bytes()), None, "{text}");
        }
        for text in [
            "2026-11-25T17:13:49",
            "2026-11-25 17:13:49Z",
            "2026-11-25 17:13:49.",
            "2026-11-25 17:13:49.1234567890",
            "2026-11-25 25:13:49",
            "2026-11-25 17:13",
            "2460000.5",
        ] {
            assert_eq!(parse_instant(text.as_bytes()), None, "{text}");
        }
    }
}
