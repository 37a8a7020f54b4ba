//! Keeping the change feed to its retention (SPEC section 8: changes are
//! kept at least `CHANGE_RETENTION_DAYS`, 90 by default).
//!
//! Compaction removes, among the entries older than the retention, those a
//! later entry of the same record supersedes, and deletes of records that
//! are gone: the latest image of every live record stays, so a client that
//! starts from no cursor still receives the full current state and exports
//! (read from the latest images) stay complete. A cursor from before the
//! last removed entry may have missed something: it answers 410 and the
//! client resyncs from an export.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::dsl::{max, min};
use diesel::prelude::*;
use diesel::sql_query;

use super::feed::RETAINED_FROM;
use crate::db::schema::{changes, settings};
use crate::db::{write_transaction, Db, DbConnection};
use crate::error::ApiResult;

/// Entries examined per transaction, so writers are never held for long.
const WINDOW: i64 = 20_000;

#[derive(QueryableByName)]
struct Bound {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    seq: Option<i64>,
}

/// What one compaction did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Compaction {
    pub removed: i64,
    /// The feed's new `changes_retained_from`, when anything was removed.
    pub retained_from: Option<i64>,
}

/// The entries of `lo < seq <= hi`, older than `cutoff`, that may go.
fn removable(lo: i64, hi: i64, cutoff: NaiveDateTime) -> String {
    format!(
        "FROM changes WHERE seq > {lo} AND seq <= {hi} AND at < '{}' \
           AND (op = 'delete' OR EXISTS (SELECT 1 FROM changes n \
                WHERE n.record_type = changes.record_type AND n.record_id = changes.record_id \
                  AND n.seq > changes.seq))",
        cutoff.format("%Y-%m-%d %H:%M:%S%.6f")
    )
}

fn raise_retained_from(conn: &mut DbConnection, seq: i64) -> ApiResult<()> {
    let current: Option<String> = settings::table
        .filter(settings::key.eq(RETAINED_FROM))
        .select(settings::value)
        .first(conn)
        .optional()?;
    match current.map(|v| v.parse::<i64>().unwrap_or(0)) {
        Some(from) if from >= seq => {}
        Some(_) => {
            diesel::update(settings::table.filter(settings::key.eq(RETAINED_FROM)))
                .set(settings::value.eq(seq.to_string()))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(settings::table)
                .values((
                    settings::key.eq(RETAINED_FROM),
                    settings::value.eq(seq.to_string()),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The first entry at `seq` or after, up to `hi`, with its instant.
fn entry_from(
    conn: &mut DbConnection,
    seq: i64,
    hi: i64,
) -> ApiResult<Option<(i64, NaiveDateTime)>> {
    Ok(changes::table
        .filter(changes::seq.ge(seq))
        .filter(changes::seq.le(hi))
        .order(changes::seq.asc())
        .select((changes::seq, changes::at))
        .first(conn)
        .optional()?)
}

/// The last entry (by `seq`, among `first..=latest`) older than `cutoff`,
/// found by bisecting on `seq` with `entry_from(seq, hi)`: a few dozen
/// lookups by the primary key, where `MAX(seq) … WHERE at < cutoff` read
/// the whole feed (`at` has no index; 0.87 s on PostgreSQL at 5.5 M
/// members, every hour on every instance). Entries are written in `seq`
/// order with the time of their write, so `at` rises with `seq`; should two
/// writes' clocks disagree, the removal still checks `at < cutoff` of each
/// entry, and an old entry the bound left out goes at the next compaction.
/// `seq` has gaps where earlier compactions removed entries.
fn last_older_than(
    first: i64,
    latest: i64,
    cutoff: NaiveDateTime,
    mut entry_from: impl FnMut(i64, i64) -> ApiResult<Option<(i64, NaiveDateTime)>>,
) -> ApiResult<Option<i64>> {
    let (mut lo, mut hi) = (first, latest);
    let mut older = None;
    while lo <= hi {
        let mid = lo + (hi - lo) / 2;
        match entry_from(mid, hi)? {
            Some((seq, at)) if at < cutoff => {
                older = Some(seq);
                lo = seq + 1;
            }
            // The first entry from `mid` on is new, or there is none up
            // to `hi`: everything older lies before `mid`.
            _ => hi = mid - 1,
        }
    }
    Ok(older)
}

/// Removes what the retention allows, window by window, each window in its
/// own transaction; raises `changes_retained_from` in the same transaction
/// as the removal, so no reader sees a gap without the 410.
pub fn compact(conn: &mut DbConnection, cutoff: NaiveDateTime) -> ApiResult<Compaction> {
    let (first, latest): (Option<i64>, Option<i64>) = changes::table
        .select((min(changes::seq), max(changes::seq)))
        .first(conn)?;
    let (Some(first), Some(latest)) = (first, latest) else {
        return Ok(Compaction::default());
    };
    let Some(last) = last_older_than(first, latest, cutoff, |seq, hi| entry_from(conn, seq, hi))?
    else {
        return Ok(Compaction::default());
    };
    let mut done = Compaction::default();
    let mut lo = first - 1;
    while lo < last {
        let hi = (lo + WINDOW).min(last);
        let removed = write_transaction(conn, |conn| {
            let highest: Vec<Bound> = sql_query(format!(
                "SELECT MAX(seq) AS seq {}",
                removable(lo, hi, cutoff)
            ))
            .load(conn)?;
            let Some(highest) = highest.into_iter().next().and_then(|b| b.seq) else {
                return Ok(None);
            };
            let removed =
                sql_query(format!("DELETE {}", removable(lo, hi, cutoff))).execute(conn)?;
            raise_retained_from(conn, highest)?;
            Ok(Some((removed as i64, highest)))
        })?;
        if let Some((n, highest)) = removed {
            done.removed += n;
            done.retained_from = Some(highest);
        }
        lo = hi;
    }
    Ok(done)
}

/// Compacts the feed now and then every `every`, for as long as the server
/// runs. Any number of instances may do this on one database: removal is
/// idempotent and the retained-from mark only rises.
pub fn spawn(db: Db, retention_days: i64, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(every);
        loop {
            ticks.tick().await;
            let db = db.clone();
            let cutoff = crate::api::now() - chrono::Duration::days(retention_days.max(0));
            let outcome = actix_web::web::block(move || -> ApiResult<Compaction> {
                let mut conn = db.get()?;
                compact(&mut conn, cutoff)
            })
            .await;
            match outcome {
                Ok(Ok(done)) if done.removed > 0 => tracing::info!(
                    removed = done.removed,
                    retained_from = done.retained_from,
                    "change feed compacted"
                ),
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(?error, "change feed compaction failed"),
                Err(error) => tracing::warn!(%error, "change feed compaction failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 1, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a day")
    }

    /// The bound over a feed of `(seq, day)` entries, with gaps.
    fn bound(feed: &[(i64, u32)], cutoff: u32) -> Option<i64> {
        let (first, latest) = (feed[0].0, feed[feed.len() - 1].0);
        let mut lookups = 0;
        let found = last_older_than(first, latest, day(cutoff), |seq, hi| {
            lookups += 1;
            Ok(feed
                .iter()
                .find(|(s, _)| *s >= seq && *s <= hi)
                .map(|(s, d)| (*s, day(*d))))
        })
        .expect("no database here");
        assert!(lookups <= 2 * 64, "bisects, {lookups} lookups");
        found
    }

    #[test]
    fn the_bound_is_the_last_entry_older_than_the_cutoff() {
        let feed = [(3, 1), (4, 2), (9, 2), (10, 5), (11, 6), (40, 9), (41, 20)];
        assert_eq!(bound(&feed, 1), None);
        assert_eq!(bound(&feed, 2), Some(3));
        assert_eq!(bound(&feed, 3), Some(9));
        assert_eq!(bound(&feed, 6), Some(10));
        assert_eq!(bound(&feed, 10), Some(40));
        assert_eq!(bound(&feed, 21), Some(41));
        assert_eq!(bound(&[(7, 1)], 2), Some(7));
        assert_eq!(bound(&[(7, 1)], 1), None);
    }
}
