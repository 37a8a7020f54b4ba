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
use diesel::prelude::*;
use tokio::sync::{mpsc, oneshot};

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

    /// Inserts the row on `conn`, in whatever transaction is open.
    pub fn insert(&self, conn: &mut DbConnection) -> ApiResult<()> {
        insert_all(conn, std::slice::from_ref(self))
    }
}

/// Inserts `records` on `conn` with one multi-row statement per 500 rows
/// (well within SQLite's limit on bound values), on the backend's own
/// connection so the statement is not written out again row by row.
fn insert_all(conn: &mut DbConnection, records: &[ReadRecord]) -> ApiResult<()> {
    for chunk in records.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    audit_events::id.eq(&r.id),
                    audit_events::at.eq(r.at),
                    audit_events::actor_type.eq(r.actor_type),
                    audit_events::actor_id.eq(Some(&r.actor_id)),
                    audit_events::actor_name.eq(Some(&r.actor_name)),
                    audit_events::action.eq("read"),
                    audit_events::resource_type.eq(&r.resource_type),
                    audit_events::resource_id.eq(Some(&r.resource_id)),
                    audit_events::organisation_path.eq(r.organisation_path.as_deref()),
                    audit_events::request_id.eq(Some(&r.request_id)),
                )
            })
            .collect();
        let insert = diesel::insert_into(audit_events::table).values(rows);
        crate::on_backend!(conn, |c| insert.execute(c))?;
    }
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
