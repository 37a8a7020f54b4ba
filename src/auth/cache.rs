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
//! again. Entries also expire after `TTL`, which bounds what another
//! process writing the same file (a `seed` run) could leave stale.
//!
//! On by default on SQLite, where one process serves one database file.
//! PostgreSQL serves any number of instances, none of which sees the
//! others' commits, so there every request reads its account unless the
//! deployment is a single instance and says so (`ACCOUNT_CACHE=true`).
//!
//! Why: the account query was 10.5 k of the 118 k instructions of a
//! GET /members/{id} (bench/profile).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use super::{Access, Account, AccountKind, Caller};
use crate::db::DbConnection;
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

/// Called by the outermost write transaction once it has ended (committed
/// or not): moves the epoch on if its writes were noted.
pub fn write_ended() {
    if CHANGED.replace(false) {
        EPOCH.fetch_add(1, Ordering::AcqRel);
    }
}

struct Entry {
    kind: AccountKind,
    epoch: u64,
    read_at: Instant,
    account: Account,
}

/// The accounts read recently, by account id.
pub struct AccountCache {
    enabled: bool,
    entries: RwLock<HashMap<String, Entry>>,
}

impl AccountCache {
    /// A cache that keeps accounts when `enabled`; otherwise every lookup
    /// reads the database.
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The checked caller, from a fresh entry or from the database.
    pub fn resolve(&self, conn: &mut DbConnection, caller: Caller) -> ApiResult<Access> {
        if !self.enabled || caller.kind == AccountKind::System {
            let account = Account::load(conn, &caller)?;
            return Ok(Access::of(caller, account));
        }
        // Taken before the read: a commit during it leaves the entry stale.
        let epoch = EPOCH.load(Ordering::Acquire);
        if let Some(account) = self.fresh(&caller, epoch) {
            return Ok(Access::of(caller, account));
        }
        let account = Account::load(conn, &caller)?;
        self.keep(&caller, epoch, account.clone());
        Ok(Access::of(caller, account))
    }

    fn fresh(&self, caller: &Caller, epoch: u64) -> Option<Account> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(&caller.account_id)?;
        let fresh =
            entry.kind == caller.kind && entry.epoch == epoch && entry.read_at.elapsed() < TTL;
        fresh.then(|| entry.account.clone())
    }

    fn keep(&self, caller: &Caller, epoch: u64, account: Account) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            caller.account_id.clone(),
            Entry {
                kind: caller.kind,
                epoch,
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
