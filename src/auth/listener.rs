//! Account changes heard from other instances (PostgreSQL).
//!
//! On PostgreSQL any number of instances serve one database, and none sees
//! the others' commits, so an account kept by one (`auth::cache`) could
//! outlive its change through another. Every write transaction that
//! journalled a user, an API client or an organisation therefore announces
//! it on a notification channel (`announce`): PostgreSQL delivers the
//! notification when the transaction commits, and drops it when it rolls
//! back, or when the savepoint that sent it does. Each instance listens on a
//! connection of its own and moves the cache's second epoch on for each
//! notification it hears; while it is not listening (not yet connected, or
//! the connection lost), the cache keeps nothing.
//!
//! A change made through another instance takes effect here as soon as its
//! notification arrives: PostgreSQL sends it once the writer has committed,
//! and this side reads it within `POLL`. The payload is the schema the
//! writer wrote, so registries in several schemas of one database (the
//! tests run so) only hear their own.
//!
//! The listening connection must be a session of its own: through a pooler
//! in transaction mode (PgBouncer's default) LISTEN hears nothing; there, set
//! `ACCOUNT_CACHE=false`.
//!
//! Why: keeping accounts on PostgreSQL makes GET /members/{id} one query
//! instead of two: 5,779 → 9,552 req/s at 100 k members (README, Scaling).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{PgConnection, RunQueryDsl};

use crate::db::{Db, DbConnection};

/// How often the listening connection is read for notifications: the
/// longest a change through another instance goes unheard here. A read that
/// finds nothing is one non-blocking `recv`.
const POLL: Duration = Duration::from_millis(10);

/// How often the listening connection is proved alive with a query: a
/// connection that died silently would otherwise never be noticed.
const LIVENESS: Duration = Duration::from_secs(5);

/// How long to wait before connecting again after the connection was lost.
const RETRY: Duration = Duration::from_secs(1);

/// Announces, in the current transaction, that an account or an
/// organisation changed. Sent once per write transaction at most.
pub fn announce(conn: &mut PgConnection) -> diesel::QueryResult<()> {
    diesel::sql_query("SELECT pg_notify('party_registry_accounts', current_schema())")
        .execute(conn)
        .map(drop)
}

/// What the listener has heard, shared with the account cache.
#[derive(Default)]
pub struct Heard {
    /// Moves on with every change heard, and whenever listening starts or
    /// stops (changes may have gone unheard in between).
    epoch: AtomicU64,
    listening: AtomicBool,
    /// Changes heard since start, for /metrics.
    changes: AtomicU64,
}

impl Heard {
    /// The epoch to tag a kept account with; none while not listening.
    pub fn epoch(&self) -> Option<u64> {
        // The epoch first: `listen` moves it before raising the flag, and
        // `lost` after lowering it, so an account read while not listening
        // is never tagged with an epoch that listening keeps.
        let epoch = self.epoch.load(Ordering::Acquire);
        self.listening.load(Ordering::Acquire).then_some(epoch)
    }

    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::Relaxed)
    }

    fn listen(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.listening.store(true, Ordering::Release);
    }

    fn lost(&self) {
        self.listening.store(false, Ordering::Release);
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    fn heard(&self, changes: u64) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.changes.fetch_add(changes, Ordering::Relaxed);
    }
}

/// Starts listening on a connection of `db`'s own, on a thread that ends
/// once the returned handle (the cache's) is dropped.
pub fn start(db: Db) -> Result<Arc<Heard>, String> {
    let heard = Arc::new(Heard::default());
    let weak = Arc::downgrade(&heard);
    std::thread::Builder::new()
        .name("account-listener".to_owned())
        .spawn(move || listen(&db, &weak))
        .map_err(|e| format!("cannot start the account listener: {e}"))?;
    Ok(heard)
}

/// Connects, listens until the connection is lost, and again, until the
/// cache is gone.
fn listen(db: &Db, heard: &Weak<Heard>) {
    loop {
        let listening = match db.open_connection() {
            Ok(DbConnection::Postgresql(mut pg)) => match subscribe(&mut pg) {
                Ok(schema) => hear(&mut pg, &schema, heard),
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for account changes");
                    Listening::Lost
                }
            },
            // Only PostgreSQL is ever given a listener.
            Ok(DbConnection::Sqlite(_)) => return,
            Err(_) => Listening::Lost,
        };
        let Some(shared) = heard.upgrade() else {
            return;
        };
        if listening == Listening::Stopped {
            return;
        }
        shared.lost();
        drop(shared);
        std::thread::sleep(RETRY);
    }
}

#[derive(PartialEq)]
enum Listening {
    /// The cache is gone: stop.
    Stopped,
    /// The connection failed: connect again.
    Lost,
}

/// LISTENs and answers the schema this instance writes.
fn subscribe(pg: &mut PgConnection) -> diesel::QueryResult<String> {
    use diesel::sql_types::Text;
    #[derive(diesel::QueryableByName)]
    struct Schema {
        #[diesel(sql_type = Text)]
        name: String,
    }
    pg.batch_execute("LISTEN party_registry_accounts")?;
    let schema: Schema = diesel::sql_query("SELECT current_schema() AS name").get_result(pg)?;
    Ok(schema.name)
}

/// Reads notifications every `POLL` until the connection fails or the
/// cache is gone.
fn hear(pg: &mut PgConnection, schema: &str, heard: &Weak<Heard>) -> Listening {
    match heard.upgrade() {
        Some(shared) => shared.listen(),
        None => return Listening::Stopped,
    }
    tracing::debug!("listening for account changes");
    let mut proved = Instant::now();
    loop {
        std::thread::sleep(POLL);
        let Some(shared) = heard.upgrade() else {
            return Listening::Stopped;
        };
        let mut changes = 0;
        for notification in pg.notifications_iter() {
            match notification {
                Ok(notification) if notification.payload == schema => changes += 1,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "lost the account listener's connection");
                    return Listening::Lost;
                }
            }
        }
        if changes > 0 {
            shared.heard(changes);
        }
        if proved.elapsed() >= LIVENESS {
            if let Err(error) = pg.batch_execute("SELECT 1") {
                tracing::warn!(%error, "lost the account listener's connection");
                return Listening::Lost;
            }
            proved = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_kept_under_an_epoch_from_before_a_change_or_a_lost_connection() {
        let heard = Heard::default();
        assert_eq!(heard.epoch(), None, "not listening yet");
        heard.listen();
        let first = heard.epoch().expect("listening");
        assert_eq!(heard.epoch(), Some(first), "nothing heard: the same epoch");

        heard.heard(2);
        let second = heard.epoch().expect("listening");
        assert_ne!(second, first);
        assert_eq!(heard.changes(), 2);

        heard.lost();
        assert_eq!(heard.epoch(), None, "changes may go unheard now");
        heard.listen();
        let third = heard.epoch().expect("listening again");
        assert!(third != first && third != second);
    }
}
