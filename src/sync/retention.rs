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
use diesel::prelude::*;
use diesel::sql_query;

use super::feed::RETAINED_FROM;
use crate::db::schema::settings;
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

/// Removes what the retention allows, window by window, each window in its
/// own transaction; raises `changes_retained_from` in the same transaction
/// as the removal, so no reader sees a gap without the 410.
pub fn compact(conn: &mut DbConnection, cutoff: NaiveDateTime) -> ApiResult<Compaction> {
    let bounds: Vec<Bound> = sql_query(format!(
        "SELECT MAX(seq) AS seq FROM changes WHERE at < '{}'",
        cutoff.format("%Y-%m-%d %H:%M:%S%.6f")
    ))
    .load(conn)?;
    let Some(last) = bounds.into_iter().next().and_then(|b| b.seq) else {
        return Ok(Compaction::default());
    };
    let first: Option<i64> = crate::db::schema::changes::table
        .select(diesel::dsl::min(crate::db::schema::changes::seq))
        .first(conn)?;
    let mut done = Compaction::default();
    let mut lo = first.unwrap_or(1) - 1;
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
