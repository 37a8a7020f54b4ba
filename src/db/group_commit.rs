//! Group commit: the write requests waiting at the same moment share one
//! transaction, each inside its own savepoint.
//!
//! Writers are serialised anyway (one SQLite write lock; on PostgreSQL the
//! advisory lock of `write_transaction`), so a request's own transaction
//! added only fixed costs: a thread hop to the blocking pool and a pool
//! checkout, `BEGIN`, the writers' lock and a commit that writes every page
//! it dirtied to the WAL (on PostgreSQL, waits for a flush to disk). Under
//! load those were most of the time of POST /members: 1.1 k/s on SQLite
//! while the same work inside an import ran at 3.5 k lines/s. One thread
//! now takes whatever has queued, runs each request in a savepoint (a
//! failing request rolls back only itself), commits once, and only then
//! answers every request of the group: a response still means durable.
//!
//! On SQLite only. On PostgreSQL a write is bound by its round trips to the
//! server (about thirty statements, each a wake-up of two processes), not by
//! its commit: one thread running every write measured 250 POST/s against
//! 344/s for writers on their own pooled connections, which at least
//! overlap their `BEGIN` and checkout. There each write keeps its own
//! transaction on the blocking pool.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use diesel::Connection;

use tokio::sync::{mpsc, oneshot};

use super::{write_transaction, Backend, Db, DbConnection};
use crate::error::{ApiError, ApiResult};

/// The most requests one transaction takes: a group's latency is the sum of
/// its requests', so it is bounded even when the queue is long.
const MAX_GROUP: usize = 64;

/// Requests that may wait for the writer before senders wait to queue.
const QUEUE: usize = 1024;

/// A request waiting for the writer.
trait Job: Send {
    /// Runs the request in its savepoint; returns how to answer it once the
    /// group's commit is known.
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Answer>;

    /// Answers a request that never ran: its group failed before its turn.
    fn refuse(self: Box<Self>, error: ApiError);
}

/// Sends a request that ran its result, given how the group's commit went.
trait Answer: Send {
    fn send(self: Box<Self>, commit: Result<(), &ApiError>);
}

struct Request<T, F> {
    work: F,
    reply: oneshot::Sender<ApiResult<T>>,
}

struct Ran<T> {
    outcome: ApiResult<T>,
    reply: oneshot::Sender<ApiResult<T>>,
}

impl<T, F> Job for Request<T, F>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send,
    T: Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Box<dyn Answer> {
        // diesel opens a savepoint for a transaction inside a transaction.
        let outcome = conn.transaction(self.work);
        Box::new(Ran {
            outcome,
            reply: self.reply,
        })
    }

    fn refuse(self: Box<Self>, error: ApiError) {
        let _ = self.reply.send(Err(error));
    }
}

impl<T: Send> Answer for Ran<T> {
    fn send(self: Box<Self>, commit: Result<(), &ApiError>) {
        let answer = match (commit, self.outcome) {
            (Err(error), Ok(_)) => Err(shared(error)),
            // Committed, or refused and so changed nothing either way.
            (_, outcome) => outcome,
        };
        let _ = self.reply.send(answer);
    }
}

/// What each request of a group that could not commit is told.
fn shared(error: &ApiError) -> ApiError {
    match error {
        ApiError::DatabaseUnavailable => ApiError::DatabaseUnavailable,
        other => ApiError::Internal(format!("the group of writes did not commit: {other:?}")),
    }
}

/// The handle to the writer thread; clones share it. The thread stops when
/// the last handle is dropped.
#[derive(Clone)]
pub struct GroupWriter {
    db: Db,
    /// The writer thread's queue; none on PostgreSQL.
    jobs: Option<mpsc::Sender<Box<dyn Job>>>,
    tally: Arc<Tally>,
}

/// Groups and the writes in them, committed or not, for /metrics.
#[derive(Default)]
struct Tally {
    groups: AtomicU64,
    writes: AtomicU64,
}

impl GroupWriter {
    /// Starts the writer thread over `db`'s pool (SQLite).
    pub fn start(db: Db) -> Result<Self, String> {
        let tally = Arc::new(Tally::default());
        if db.backend == Backend::Postgres {
            return Ok(Self {
                db,
                jobs: None,
                tally,
            });
        }
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>(QUEUE);
        let (served, counted) = (db.clone(), tally.clone());
        std::thread::Builder::new()
            .name("group-commit".to_owned())
            .spawn(move || serve(&served, queue, &counted))
            .map_err(|e| format!("cannot start the writer thread: {e}"))?;
        Ok(Self {
            db,
            jobs: Some(jobs),
            tally,
        })
    }

    /// How many groups have been run and how many writes they held.
    pub fn totals(&self) -> (u64, u64) {
        (
            self.tally.groups.load(Ordering::Relaxed),
            self.tally.writes.load(Ordering::Relaxed),
        )
    }

    /// Runs `work` in a savepoint of the next group's transaction and
    /// resolves once that transaction has committed (or with the error that
    /// rolled `work` back, or the one that kept the group from committing).
    /// On PostgreSQL, in a transaction of its own.
    pub async fn write<T, F>(&self, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(jobs) = &self.jobs else {
            return self.db.run(move |conn| write_transaction(conn, work)).await;
        };
        let (reply, result) = oneshot::channel::<ApiResult<T>>();
        let stopped = || ApiError::Internal("the writer thread stopped".to_owned());
        jobs.send(Box::new(Request { work, reply }))
            .await
            .map_err(|_| stopped())?;
        // A reply dropped unsent means the request's group panicked: a bug.
        result.await.map_err(|_| stopped())?
    }
}

/// Commits what has queued, group after group, until every handle is gone.
fn serve(db: &Db, mut queue: mpsc::Receiver<Box<dyn Job>>, tally: &Tally) {
    while let Some(first) = queue.blocking_recv() {
        let mut group = Vec::with_capacity(MAX_GROUP);
        group.push(first);
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        tally.groups.fetch_add(1, Ordering::Relaxed);
        tally
            .writes
            .fetch_add(group.len() as u64, Ordering::Relaxed);
        commit(db, group);
    }
}

/// Runs one group in one transaction, then answers its requests.
fn commit(db: &Db, group: Vec<Box<dyn Job>>) {
    let size = group.len();
    let mut waiting = group.into_iter();
    let mut ran: Vec<Box<dyn Answer>> = Vec::with_capacity(size);
    // A panicking request must not stop the writer: the connection it left
    // mid-transaction is discarded by the pool (`is_broken`), the requests
    // of the group are answered as not committed, and the thread goes on.
    let committed = std::panic::catch_unwind(AssertUnwindSafe(|| {
        db.with_connection(|conn| {
            write_transaction(conn, |conn| {
                for job in waiting.by_ref() {
                    ran.push(job.run(conn));
                }
                Ok(())
            })
        })
    }))
    .unwrap_or_else(|_| {
        Err(ApiError::Internal(
            "a write panicked; its group was rolled back".to_owned(),
        ))
    });
    let commit = committed.as_ref().map(|_| ());
    for answer in ran {
        answer.send(commit);
    }
    if let Err(error) = commit {
        tracing::error!(?error, size, "group of writes not committed");
        for job in waiting {
            job.refuse(shared(error));
        }
    }
}
