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
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
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
    /// Whether it runs in a group of its own (see `GroupWriter::write_alone`).
    fn alone(&self) -> bool;

    /// Runs the request (in its savepoint unless it is alone); returns how
    /// to answer it once the group's commit is known, and whether it failed.
    fn run(self: Box<Self>, conn: &mut DbConnection) -> (Box<dyn Answer>, bool);

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
    alone: bool,
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
    fn alone(&self) -> bool {
        self.alone
    }

    fn run(self: Box<Self>, conn: &mut DbConnection) -> (Box<dyn Answer>, bool) {
        let outcome = if self.alone {
            (self.work)(conn)
        } else {
            // diesel opens a savepoint for a transaction inside a transaction.
            conn.transaction(self.work)
        };
        let failed = outcome.is_err();
        let ran = Ran {
            outcome,
            reply: self.reply,
        };
        (Box::new(ran), failed)
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
        let (served, counted, checkpointed) = (db.clone(), tally.clone(), db.clone());
        let (stopping, writer_stopped) = std_mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("group-commit".to_owned())
            .spawn(move || {
                serve(&served, queue, &counted);
                drop(stopping);
            })
            .map_err(|e| format!("cannot start the writer thread: {e}"))?;
        std::thread::Builder::new()
            .name("checkpoint".to_owned())
            .spawn(move || checkpoint_until_stopped(&checkpointed, &writer_stopped))
            .map_err(|e| format!("cannot start the checkpoint thread: {e}"))?;
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
        self.submit(work, false).await
    }

    /// Like `write`, for long work that opens savepoints of its own (an
    /// import batch, a savepoint per line): it runs in a transaction of its
    /// own, with no savepoint around it. In SQLite a savepoint released
    /// inside another one keeps the statement journal growing until the
    /// outer one ends: an import of 9,000 members spent 72 % of its time in
    /// `sqlite3BtreeSavepoint` (perf) and fell from 3.7 k to 1.2 k lines/s.
    pub async fn write_alone<T, F>(&self, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.submit(work, true).await
    }

    /// Runs `step` in transactions of its own, one after another, until it
    /// reports that it is done: a long write in batches (an import). On
    /// SQLite each batch is a job alone on the writer thread, so other writes
    /// go between batches. On PostgreSQL every batch runs on one blocking
    /// thread and one connection: spread over the pool's connections and
    /// the blocking threads, each that had run a batch stayed larger by
    /// about what a batch allocates. `bench/run --members 100000 --backend
    /// postgres --only "post_member bulk"`: peak resident memory 347 MB with
    /// a blocking task per batch, 181–182 MB now, at the same speed.
    pub async fn write_batches<S, F>(&self, mut state: S, step: F) -> ApiResult<S>
    where
        S: Send + 'static,
        F: Fn(&mut DbConnection, &mut S) -> ApiResult<bool> + Send + Sync + 'static,
    {
        let step = Arc::new(step);
        if self.jobs.is_none() {
            return self
                .db
                .run(move |conn| loop {
                    if write_transaction(conn, |conn| step(conn, &mut state))? {
                        return Ok(state);
                    }
                })
                .await;
        }
        loop {
            let step = step.clone();
            let (back, done) = self
                .write_alone(move |conn| {
                    let done = step(conn, &mut state)?;
                    Ok((state, done))
                })
                .await?;
            state = back;
            if done {
                return Ok(state);
            }
        }
    }

    async fn submit<T, F>(&self, work: F, alone: bool) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(jobs) = &self.jobs else {
            return self.db.run(move |conn| write_transaction(conn, work)).await;
        };
        let (reply, result) = oneshot::channel::<ApiResult<T>>();
        let stopped = || ApiError::Internal("the writer thread stopped".to_owned());
        jobs.send(Box::new(Request { work, reply, alone }))
            .await
            .map_err(|_| stopped())?;
        // A reply dropped unsent means the request's group panicked: a bug.
        result.await.map_err(|_| stopped())?
    }
}

/// How the writer's own connection differs from the pooled ones.
///
/// Its page cache is larger: it makes nearly every write of the service,
/// and at 8 MB the index pages a write descends (random ids) were read back
/// from the OS. It does not checkpoint the WAL itself unless the WAL has
/// grown far (the checkpointer thread below does, off the writers' path):
/// checkpointing every 1,000 pages, as SQLite does by default, copied the
/// pages every write touches (the tails of the journal, the feed and the
/// events, the upper levels of each index) into the database over and
/// over, and stalled the group that crossed the mark.
const WRITER_SETTINGS: &str = "PRAGMA cache_size = -32000; PRAGMA wal_autocheckpoint = 20000;";

/// How the writer runs a job alone (an import batch), and back after it.
///
/// Its statement journals go to a temporary file past 64 KB (SQLite's
/// default) rather than to memory. A multi-row insert into `members` keeps
/// one (its foreign keys and name trigger can abort it halfway), FTS5
/// writes the names inside it, and each of FTS5's own statements, when
/// done, cut the in-memory journal back by walking its list of 1 KB chunks
/// from the start: 14 % of an import's time (perf). A file is cut at once.
/// Import of 20 k members into 100 k: 4.6–5.1 k/s in memory, 5.0–5.4 k/s
/// with the file. Groups of requests keep the memory journal: on a file,
/// POST /members fell from 3.3 k/s to 2.8–3.1 k/s.
const ALONE_SETTINGS: &str = "PRAGMA temp_store = FILE;";
const GROUP_SETTINGS: &str = "PRAGMA temp_store = MEMORY;";

/// How often the checkpointer copies the WAL into the database. Measured
/// under POST /members at 55 k members: every 500 ms, 3.2 k/s with p99
/// 87–99 ms (a checkpoint of half a second of writes holds the one core
/// long); every 100 ms, 3.1 k/s with p99 61–65 ms; SQLite's own every 1,000
/// pages, 2.6 k/s with p99 42 ms.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// Copies the WAL into the database every `CHECKPOINT_EVERY` on a
/// connection of its own (a passive checkpoint: it never blocks the writer
/// nor readers), until the writer thread stops.
fn checkpoint_until_stopped(db: &Db, writer_stopped: &std_mpsc::Receiver<()>) {
    let mut own: Option<DbConnection> = None;
    while let Err(std_mpsc::RecvTimeoutError::Timeout) =
        writer_stopped.recv_timeout(CHECKPOINT_EVERY)
    {
        let Some(mut conn) = own.take().or_else(|| db.open_connection().ok()) else {
            continue;
        };
        match conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
            Ok(()) => own = Some(conn),
            Err(error) => tracing::warn!(%error, "checkpoint failed"),
        }
    }
}

/// Commits what has queued, group after group, until every handle is gone.
fn serve(db: &Db, mut queue: mpsc::Receiver<Box<dyn Job>>, tally: &Tally) {
    let mut own: Option<DbConnection> = None;
    // A job that must be alone, met while a group was being gathered.
    let mut held: Option<Box<dyn Job>> = None;
    while let Some(first) = held.take().or_else(|| queue.blocking_recv()) {
        let mut group = Vec::with_capacity(MAX_GROUP);
        let alone = first.alone();
        group.push(first);
        while !alone && group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) if job.alone() => {
                    held = Some(job);
                    break;
                }
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        tally.groups.fetch_add(1, Ordering::Relaxed);
        tally
            .writes
            .fetch_add(group.len() as u64, Ordering::Relaxed);
        let conn = match own.take() {
            Some(conn) => Ok(conn),
            None => db.open_connection().and_then(|mut conn| {
                conn.batch_execute(WRITER_SETTINGS)?;
                Ok(conn)
            }),
        };
        match conn {
            Ok(mut conn) => {
                // Set outside the transaction: SQLite refuses it inside.
                let settled = !alone || conn.batch_execute(ALONE_SETTINGS).is_ok();
                let committed = commit(&mut conn, group);
                if committed && settled && (!alone || conn.batch_execute(GROUP_SETTINGS).is_ok()) {
                    own = Some(conn);
                }
            }
            Err(error) => {
                for job in group {
                    job.refuse(shared(&error));
                }
            }
        }
    }
}

/// Runs one group in one transaction, then answers its requests. Returns
/// whether the connection can serve the next group: not after a panic,
/// which can leave it inside the transaction, nor after a failed commit.
fn commit(conn: &mut DbConnection, group: Vec<Box<dyn Job>>) -> bool {
    let size = group.len();
    let mut waiting = group.into_iter();
    let mut ran: Vec<Box<dyn Answer>> = Vec::with_capacity(size);
    // A panicking request must not stop the writer: the requests of the
    // group are answered as not committed, the connection is let go (which
    // rolls back what it held), and the thread goes on with a new one.
    // A job alone that fails rolls the transaction back; its own error
    // answers it.
    let mut lone_failure = false;
    let committed = std::panic::catch_unwind(AssertUnwindSafe(|| {
        write_transaction(conn, |conn| {
            for job in waiting.by_ref() {
                let alone = job.alone();
                let (answer, failed) = job.run(conn);
                ran.push(answer);
                if alone && failed {
                    lone_failure = true;
                    return Err(ApiError::Internal("rolled back".to_owned()));
                }
            }
            Ok(())
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
    if let (Err(error), false) = (commit, lone_failure) {
        tracing::error!(?error, size, "group of writes not committed");
        for job in waiting {
            job.refuse(shared(error));
        }
    }
    committed.is_ok() || lone_failure
}
