//! Audit of full personal reads (SPEC section 4) with group commit.
//!
//! A privileged GET used to insert its audit row on its own, so every such
//! read was a write transaction of its own (on SQLite, a turn at the single
//! write lock). Reads served through `AppState::read` now collect their
//! audit rows on the serving thread; the handler then hands them to one
//! writer task, which commits whatever has queued in one transaction and
//! only then lets the responses go. An acknowledged read is as durably
//! audited as before; many concurrent reads share one commit.

use std::cell::RefCell;

use chrono::NaiveDateTime;
use tokio::sync::{mpsc, oneshot};

use super::AuditRow;
use crate::api::{new_id, now};
use crate::auth::Access;
use crate::db::schema::audit_events;
use crate::db::{write_transaction, Db, DbConnection};
use crate::error::{ApiError, ApiResult};

/// Rows written per transaction at most.
const MAX_BATCH: usize = 512;

/// One audited read, as it will be stored.
#[derive(Debug, Clone)]
pub struct ReadRecord {
    id: String,
    at: NaiveDateTime,
    actor_type: &'static str,
    actor_id: String,
    actor_name: String,
    resource_type: String,
    resource_id: String,
    organisation_path: Option<String>,
    request_id: String,
}

impl ReadRecord {
    pub fn new(
        access: &Access,
        record_type: &str,
        record_id: &str,
        organisation_path: Option<&str>,
    ) -> Self {
        Self {
            id: new_id(),
            at: now(),
            actor_type: access.kind.as_str(),
            actor_id: access.account_id.clone(),
            actor_name: access.name.clone(),
            resource_type: record_type.to_owned(),
            resource_id: record_id.to_owned(),
            organisation_path: organisation_path.map(str::to_owned),
            request_id: access.request_id.clone(),
        }
    }

    /// The row to store.
    fn row(&self) -> AuditRow {
        AuditRow {
            id: self.id.clone(),
            at: self.at,
            actor_type: self.actor_type,
            actor_id: Some(self.actor_id.clone()),
            actor_name: Some(self.actor_name.clone()),
            action: "read".to_owned(),
            resource_type: self.resource_type.clone(),
            resource_id: Some(self.resource_id.clone()),
            organisation_path: self.organisation_path.clone(),
            request_id: Some(self.request_id.clone()),
            before_json: None,
            after_json: None,
        }
    }

    /// Inserts the row on `conn`, in whatever transaction is open.
    pub fn insert(&self, conn: &mut DbConnection) -> ApiResult<()> {
        insert_all(conn, std::slice::from_ref(self))
    }
}

/// Inserts `records` on `conn` (`bulk_insert!`: on SQLite one prepared
/// single-row insert each, on PostgreSQL one `COPY`). As one multi-row
/// insert its SQL changed with the number of rows, so SQLite prepared it
/// again for every batch: 37 k of the 245 k instructions of an audited
/// GET member (callgrind, `bench/profile`).
fn insert_all(conn: &mut DbConnection, records: &[ReadRecord]) -> ApiResult<()> {
    let rows: Vec<AuditRow> = records.iter().map(ReadRecord::row).collect();
    crate::bulk_insert!(conn, audit_events::table, rows);
    Ok(())
}

thread_local! {
    /// Reads audited by the work running on this thread, when it runs
    /// under `collecting`; `None` otherwise (rows are then inserted at once).
    static COLLECTED: RefCell<Option<Vec<ReadRecord>>> = const { RefCell::new(None) };
}

/// Runs `work` with the reads it audits collected instead of inserted,
/// and returns them with its result.
pub fn collecting<T>(work: impl FnOnce() -> T) -> (T, Vec<ReadRecord>) {
    COLLECTED.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let value = work();
    let collected = COLLECTED
        .with(|c| c.borrow_mut().take())
        .unwrap_or_default();
    (value, collected)
}

/// Keeps `record` for the group commit when collecting; hands it back
/// otherwise, for the caller to insert in its own transaction.
pub fn collect(record: ReadRecord) -> Option<ReadRecord> {
    COLLECTED.with(|c| match c.borrow_mut().as_mut() {
        Some(collected) => {
            collected.push(record);
            None
        }
        None => Some(record),
    })
}

type Job = (Vec<ReadRecord>, oneshot::Sender<ApiResult<()>>);

/// The handle to the writer task.
#[derive(Clone)]
pub struct ReadAudits {
    jobs: mpsc::Sender<Job>,
}

impl ReadAudits {
    /// Starts the writer as a task of the current runtime, so it stops, and
    /// lets go of its pool, when the server's runtime does.
    pub fn start(db: Db) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>(4096);
        actix_web::rt::spawn(write_batches(db, queue));
        Self { jobs }
    }

    /// Resolves once `records` are committed.
    pub async fn commit(&self, records: Vec<ReadRecord>) -> ApiResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        let (done, outcome) = oneshot::channel();
        self.jobs
            .send((records, done))
            .await
            .map_err(|_| ApiError::Internal("read-audit writer stopped".to_owned()))?;
        outcome
            .await
            .map_err(|_| ApiError::Internal("read-audit writer stopped".to_owned()))?
    }
}

/// Commits what has queued, batch after batch, until every sender is gone.
async fn write_batches(db: Db, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        let mut rows = batch[0].0.len();
        while rows < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => {
                    rows += job.0.len();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        let (records, replies): (Vec<Vec<ReadRecord>>, Vec<_>) = batch.into_iter().unzip();
        let outcome = db
            .run(move |conn| {
                let records: Vec<ReadRecord> = records.into_iter().flatten().collect();
                write_transaction(conn, |conn| insert_all(conn, &records))
            })
            .await;
        if let Err(error) = &outcome {
            tracing::warn!(?error, rows, "read audits not written");
        }
        for done in replies {
            let _ = done.send(match &outcome {
                Ok(()) => Ok(()),
                Err(ApiError::DatabaseUnavailable) => Err(ApiError::DatabaseUnavailable),
                Err(_) => Err(ApiError::Internal("read audits not written".to_owned())),
            });
        }
    }
}
