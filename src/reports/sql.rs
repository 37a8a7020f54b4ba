//! Small helpers for the reports' aggregate SQL, which is the same text on
//! SQLite and PostgreSQL. Only typed values are ever inlined (ids as UUIDs,
//! dates, integers), so nothing a client sends reaches SQL as text.

use chrono::NaiveDate;
use diesel::connection::Connection;
use diesel::sql_types::{BigInt, Text};
use diesel::{sql_query, QueryableByName, RunQueryDsl};
use uuid::Uuid;

use crate::db::DbConnection;
use crate::error::ApiResult;

#[derive(QueryableByName)]
pub struct Count {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

#[derive(QueryableByName)]
pub struct KeyCount {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// `'id1','id2',…` for an IN list; an empty list matches nothing.
pub fn ids<'a>(ids: impl IntoIterator<Item = &'a Uuid>) -> String {
    let quoted: Vec<String> = ids.into_iter().map(|id| format!("'{id}'")).collect();
    if quoted.is_empty() {
        "''".to_owned()
    } else {
        quoted.join(",")
    }
}

/// A date literal.
pub fn date(day: NaiveDate) -> String {
    format!("'{}'", day.format("%Y-%m-%d"))
}

/// Runs `work`, a part of a report made of large aggregates, on
/// PostgreSQL in a transaction of its own whose settings suit them (every
/// pooled connection already runs with `jit = off`, see `db`):
/// - `work_mem = 64MB` (the default is 4 MB): the register's hash joins
///   went to 128 batches on disk, and its count per village spilled 100 MB
///   per process. The bound is 64 MB × `hash_mem_multiplier` (2) × two
///   hashes × three processes (the leader and two workers): about 0.8 GB
///   for the country's report, held only while it runs.
/// - `random_page_cost = 1.1` (the default 4 prices a disk's seeks): the
///   year's participants were read by hashing all 5.5 M people for their
///   183 k enrolments (1.8 s), where looking each up by id takes 1.0 s.
///
/// Settings made with `set_config(…, true)` end with the transaction, so
/// the pooled connection goes back as it was, however `work` ends. SQLite
/// runs `work` as it is.
pub fn tuned_for_aggregates<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> ApiResult<T>,
) -> ApiResult<T> {
    match conn {
        DbConnection::Postgresql(_) => conn.transaction(|conn| {
            sql_query(
                "SELECT set_config('work_mem', '64MB', true), \
                        set_config('random_page_cost', '1.1', true)",
            )
            .execute(conn)?;
            work(conn)
        }),
        DbConnection::Sqlite(_) => work(conn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_quoted_and_an_empty_list_matches_nothing() {
        let id = Uuid::parse_str("0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61").expect("a UUID");
        assert_eq!(ids([&id, &id]), format!("'{id}','{id}'"));
        assert_eq!(ids([]), "''");
    }
}
