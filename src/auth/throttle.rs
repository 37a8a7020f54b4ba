//! Login throttling kept in the database, so it holds across instances.
//!
//! After `MAX_FAILURES` failed logins for one account name within
//! `WINDOW_SECONDS`, further attempts for that name are answered 429 until
//! `LOCK_SECONDS` pass, whether the name exists or not (nothing is revealed).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::login_failures::dsl::*;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};

pub const MAX_FAILURES: i32 = 5;
pub const WINDOW_SECONDS: i64 = 15 * 60;
pub const LOCK_SECONDS: i64 = 15 * 60;

/// The throttling decision for a login name at `now`, from its failure record.
pub fn retry_after(locked: Option<NaiveDateTime>, now: NaiveDateTime) -> Option<u64> {
    let until = locked?;
    (until > now).then(|| (until - now).num_seconds().max(1) as u64)
}

/// 429 when the name is locked.
pub fn check(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> ApiResult<()> {
    let locked: Option<Option<NaiveDateTime>> = login_failures
        .filter(login.eq(name))
        .select(locked_until)
        .first(conn)
        .optional()?;
    match retry_after(locked.flatten(), now) {
        Some(retry_after_seconds) => Err(ApiError::TooManyRequests {
            retry_after_seconds,
        }),
        None => Ok(()),
    }
}

/// Counts one failed attempt, locking the name when the limit is reached.
pub fn record_failure(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> ApiResult<()> {
    let existing: Option<(i32, NaiveDateTime)> = login_failures
        .filter(login.eq(name))
        .select((failures, window_started_at))
        .first(conn)
        .optional()?;
    let (count, started) = match existing {
        Some((count, started)) if now - started < Duration::seconds(WINDOW_SECONDS) => {
            (count + 1, started)
        }
        _ => (1, now),
    };
    let lock = (count >= MAX_FAILURES).then(|| now + Duration::seconds(LOCK_SECONDS));
    if existing.is_some() {
        diesel::update(login_failures.filter(login.eq(name)))
            .set((
                failures.eq(count),
                window_started_at.eq(started),
                locked_until.eq(lock),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(login_failures)
            .values((
                login.eq(name),
                failures.eq(count),
                window_started_at.eq(started),
                locked_until.eq(lock),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets the failures of a name after a successful login.
pub fn clear(conn: &mut DbConnection, name: &str) -> ApiResult<()> {
    diesel::delete(login_failures.filter(login.eq(name))).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_700_000_000 + seconds, 0)
            .expect("valid")
            .naive_utc()
    }

    #[test]
    fn a_lock_in_the_future_gives_the_seconds_left() {
        assert_eq!(retry_after(Some(at(90)), at(0)), Some(90));
    }

    #[test]
    fn a_lock_in_the_past_no_longer_throttles() {
        assert_eq!(retry_after(Some(at(0)), at(1)), None);
        assert_eq!(retry_after(None, at(1)), None);
    }
}
