//! Accounts kept between reads, so a read does not look its caller's
//! account up again on every request.
//!
//! SPEC section 4 wants a changed or disabled account to take effect at
//! once. An entry is therefore only served while nothing that could change
//! it has committed since it was read: every write that journals a user, an
//! API client or an organisation (whose path is a scope) marks its thread
//! (`note_write`, from `audit::record`), and the outermost write
//! transaction of that thread moves the epoch on after its commit
//! (`db::write_transaction`). An entry read under an older epoch is read
//! again. Entries also expire after `TTL`, which bounds what a process
//! writing the database outside the service could leave stale.
//!
//! On SQLite one process serves one database file, so its own epoch is
//! enough. On PostgreSQL any number of instances serve one database: there
//! the same writes also announce themselves to the others, and each
//! instance keeps accounts only while it is listening for those
//! announcements (`auth::listener`). `ACCOUNT_CACHE=false` reads the
//! account on every request.
//!
//! Why: the account query was 10.5 k of the 118 k instructions of a
//! GET /members/{id} (bench/profile); on PostgreSQL it was a second round
//! trip per read.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use super::listener::{self, Heard};
use super::{Access, Account, AccountKind, Caller};
use crate::db::{Backend, Db, DbConnection};
use crate::error::ApiResult;

/// How long an entry is served at most, even with no write seen.
const TTL: Duration = Duration::from_secs(1);

/// Accounts kept at most; past that the cache starts again empty.
const CAPACITY: usize = 10_000;

/// Moves on after every commit that changed an account or an organisation.
/// One for the process: a commit elsewhere in it (another database, in the
/// tests) only makes entries read again.
static EPOCH: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Whether this thread's current write journalled an account or an
    /// organisation.
    static CHANGED: Cell<bool> = const { Cell::new(false) };
}

/// Record types whose writes can change what `Account::load` answers.
const ACCESS_RECORD_TYPES: &[&str] = &["user", "client", "organisation"];

/// Called for each journalled write: notes one that can change an account.
pub fn note_write(record_type: &str) {
    if ACCESS_RECORD_TYPES.contains(&record_type) {
        CHANGED.set(true);
    }
}

/// Whether this thread's current write journalled an account or an
/// organisation: the outermost write transaction then announces it to
/// other instances before it commits (PostgreSQL).
pub fn changed_in_this_write() -> bool {
    CHANGED.get()
}

/// Called by the outermost write transaction once it has ended (committed
/// or not): moves the epoch on if its writes were noted.
pub fn write_ended() {
    if CHANGED.replace(false) {
        EPOCH.fetch_add(1, Ordering::AcqRel);
    }
}

/// The epochs an entry was read under: this process's, and what it had
/// heard from other instances (always 0 on SQLite).
type Epochs = (u64, u64);

struct Entry {
    kind: AccountKind,
    epochs: Epochs,
    read_at: Instant,
    account: Account,
}

/// The accounts read recently, by account id.
pub struct AccountCache {
    enabled: bool,
    /// What this instance hears of other instances' changes (PostgreSQL).
    others: Option<Arc<Heard>>,
    entries: RwLock<HashMap<String, Entry>>,
}

impl AccountCache {
    /// A cache that keeps accounts when `enabled`; otherwise every lookup
    /// reads the database. On PostgreSQL it starts listening for other
    /// instances' changes.
    pub fn start(db: &Db, enabled: bool) -> Result<Self, String> {
        let others = match db.backend {
            Backend::Postgres if enabled => Some(listener::start(db.clone())?),
            _ => None,
        };
        Ok(Self {
            enabled,
            others,
            entries: RwLock::new(HashMap::new()),
        })
    }

    /// The checked caller, from a fresh entry or from the database.
    pub fn resolve(&self, conn: &mut DbConnection, caller: Caller) -> ApiResult<Access> {
        // Taken before the read: a commit during it leaves the entry stale.
        let epochs = match self.epochs() {
            Some(epochs) if caller.kind != AccountKind::System => epochs,
            _ => {
                let account = Account::load(conn, &caller)?;
                return Ok(Access::of(caller, account));
            }
        };
        if let Some(account) = self.fresh(&caller, epochs) {
            return Ok(Access::of(caller, account));
        }
        let account = Account::load(conn, &caller)?;
        self.keep(&caller, epochs, account.clone());
        Ok(Access::of(caller, account))
    }

    /// Whether this instance listens for other instances' account changes
    /// and how many it has heard, for /metrics (PostgreSQL).
    pub fn hearing(&self) -> Option<(bool, u64)> {
        let others = self.others.as_ref()?;
        Some((others.listening(), others.changes()))
    }

    /// The epochs to read under now; none when nothing may be kept.
    fn epochs(&self) -> Option<Epochs> {
        if !self.enabled {
            return None;
        }
        let heard = match &self.others {
            Some(others) => others.epoch()?,
            None => 0,
        };
        Some((EPOCH.load(Ordering::Acquire), heard))
    }

    fn fresh(&self, caller: &Caller, epochs: Epochs) -> Option<Account> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(&caller.account_id)?;
        let fresh =
            entry.kind == caller.kind && entry.epochs == epochs && entry.read_at.elapsed() < TTL;
        fresh.then(|| entry.account.clone())
    }

    fn keep(&self, caller: &Caller, epochs: Epochs, account: Account) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            caller.account_id.clone(),
            Entry {
                kind: caller.kind,
                epochs,
                read_at: Instant::now(),
                account,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_writes_of_accounts_and_organisations_move_the_epoch() {
        note_write("member");
        assert!(!CHANGED.get());
        for record_type in ACCESS_RECORD_TYPES {
            note_write(record_type);
            assert!(CHANGED.get(), "{record_type}");
            // Other tests may move the epoch too, but never back.
            let before = EPOCH.load(Ordering::Acquire);
            write_ended();
            assert!(!CHANGED.get());
            assert!(EPOCH.load(Ordering::Acquire) > before);
        }
    }
}
