//! Shared application state and the two ways handlers reach the database.

use std::sync::Arc;

use crate::audit::reads::{collecting, ReadAudits, ReadRecord};
use crate::auth::cache::AccountCache;
use crate::auth::token::Keys;
use crate::auth::{Access, Caller, Right};
use crate::db::{Db, DbConnection, GroupWriter};
use crate::error::ApiResult;
use crate::ops::Metrics;

/// What every handler can reach; built once at start.
pub struct AppState {
    pub db: Db,
    pub keys: Keys,
    pub token_ttl_seconds: i64,
    pub metrics: Metrics,
    pub read_audits: ReadAudits,
    pub writer: GroupWriter,
    /// Accounts kept between reads (by default on SQLite; see `auth::cache`).
    pub accounts: Arc<AccountCache>,
}

impl AppState {
    /// Checks the caller's account and right, then reads on the blocking pool.
    /// Every store query receives the resolved `Access`, so scope filtering
    /// cannot be forgotten.
    pub async fn read<T, F>(&self, caller: Caller, right: Right, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection, &Access) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (value, reads) = self.db.run(self.audited(caller, right, work)).await?;
        // Personal reads are audited before the data leaves (SPEC section 4).
        self.read_audits.commit(reads).await?;
        Ok(value)
    }

    /// Like `read`, for reading one record by id: on SQLite it runs on the
    /// calling thread (see `Db::run_point_read`).
    pub async fn read_point<T, F>(&self, caller: Caller, right: Right, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection, &Access) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (value, reads) = self
            .db
            .run_point_read(self.audited(caller, right, work))
            .await?;
        self.read_audits.commit(reads).await?;
        Ok(value)
    }

    /// Like `read`, as one atomic write: the change, its audit event and its
    /// change-feed entry commit together or not at all, and the answer comes
    /// after the commit. The writes waiting together share one transaction,
    /// each in its own savepoint (see `db::GroupWriter`).
    pub async fn write<T, F>(&self, caller: Caller, right: Right, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection, &Access) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.writer
            .write(authorised(read_account(caller), right, work))
            .await
    }

    /// Like `write`, for long work that opens savepoints of its own (an
    /// import batch): run alone in its transaction (`GroupWriter::write_alone`).
    pub async fn write_alone<T, F>(&self, caller: Caller, right: Right, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection, &Access) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.writer
            .write_alone(authorised(read_account(caller), right, work))
            .await
    }

    /// Like `write_alone`, again and again until `step` reports that it is
    /// done, each time in a transaction of its own
    /// (`GroupWriter::write_batches`): an import, batch by batch.
    pub async fn write_batches<S, F>(
        &self,
        caller: Caller,
        right: Right,
        state: S,
        step: F,
    ) -> ApiResult<S>
    where
        S: Send + 'static,
        F: Fn(&mut DbConnection, &Access, &mut S) -> ApiResult<bool> + Send + Sync + 'static,
    {
        self.writer
            .write_batches(state, move |conn, state| {
                let batch = |conn: &mut DbConnection, access: &Access| step(conn, access, state);
                authorised(read_account(caller.clone()), right, batch)(conn)
            })
            .await
    }

    /// Read work that resolves the caller (through the account cache),
    /// checks the right, runs `work` and hands back the personal reads it
    /// audited, to be committed.
    fn audited<T, F>(
        &self,
        caller: Caller,
        right: Right,
        work: F,
    ) -> impl FnOnce(&mut DbConnection) -> ApiResult<(T, Vec<ReadRecord>)>
    where
        F: FnOnce(&mut DbConnection, &Access) -> ApiResult<T>,
    {
        let accounts = self.accounts.clone();
        let resolve = move |conn: &mut DbConnection| accounts.resolve(conn, caller);
        move |conn| {
            let (value, reads) = collecting(|| authorised(resolve, right, work)(conn));
            Ok((value?, reads))
        }
    }
}

/// Database work that resolves the caller with `resolve`, checks the right
/// and runs `work`.
fn authorised<T, R, F>(
    resolve: R,
    right: Right,
    work: F,
) -> impl FnOnce(&mut DbConnection) -> ApiResult<T>
where
    R: FnOnce(&mut DbConnection) -> ApiResult<Access>,
    F: FnOnce(&mut DbConnection, &Access) -> ApiResult<T>,
{
    move |conn| {
        let access = resolve(conn)?;
        access.require(right)?;
        work(conn, &access)
    }
}

/// Resolves the caller from the database itself: writes never take a kept
/// account.
fn read_account(caller: Caller) -> impl FnOnce(&mut DbConnection) -> ApiResult<Access> {
    move |conn| Access::resolve(conn, &caller)
}
