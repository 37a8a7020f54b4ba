//! Persistence: one diesel connection type over SQLite and PostgreSQL, an r2d2
//! pool, embedded migrations per backend, and the helpers every store uses to
//! run blocking database work off the async workers.

pub mod dates;
mod group_commit;
pub mod schema;

pub use group_commit::GroupWriter;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{ApiError, ApiResult};

/// The one connection type of the service; stores match on it only where a
/// backend needs its own SQL.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection.
///
/// diesel's `MultiConnection` renders a query's SQL text again each time the
/// query runs (its `SerializedQuery` wrapper does so on every pass over the
/// query), even when the prepared statement is already cached. For a wide
/// select that was a third of the instructions of GET /members/{id}
/// (callgrind). Run on the backend's own connection, an unboxed query finds
/// its cached statement by its Rust type and no SQL is written. Hot paths
/// only: boxed queries are typed for the multi-backend and cannot go this way.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgresql($c) => $body,
        }
    };
}

/// Inserts `$rows` (a slice or `Vec` of `Insertable` rows, each type
/// deriving it with `treat_none_as_default_value = false`, so that every
/// row of a type writes the same SQL).
///
/// On SQLite one statement a row, each found in the statement cache by its
/// type (`SameSql`). A multi-row insert into a table with a unique or
/// NOT NULL constraint is a statement SQLite may have to undo part-way: it
/// copies every page the statement changes into a statement journal first,
/// and opens a savepoint in each virtual table of the transaction, at which
/// FTS5 (`member_names`) flushes its pending trigrams. A single-row insert
/// needs neither. Importing `bench/run`'s 16,666 new members into 100 k
/// (perf, and each step timed three times): 5.0–5.4 k members/s in chunks
/// of 400 rows (where diesel in fact wrote most rows one at a time, each
/// in a savepoint, as it does for rows whose `None` means a default);
/// 6.1–6.3 k one row a statement; 6.5–6.7 k also without the name-search
/// trigger (migration `member_names_by_hand`); 7.4–8.0 k with the
/// statements found by type.
///
/// On PostgreSQL one `COPY … FROM STDIN (FORMAT binary)` of all the rows:
/// no statement to parse and plan per chunk, and the rows stream to the
/// server one by one, so libpq's buffers stay small (multi-row INSERTs of
/// 1,000 rows, each carrying a record's image, had made statements of
/// megabytes, and the server stayed that much larger). Constraints and
/// foreign keys are checked as for an INSERT. `bench/run --members 100000
/// --backend postgres --only bulk`, the builds alternated: the import
/// 3.8–3.9 k members/s in INSERTs of 100 rows, 5.6–6.0 k with COPY; peak
/// resident memory 99 MB with `post_member` too.
#[macro_export]
macro_rules! bulk_insert {
    ($conn:expr, $table:path, $rows:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite(c) => {
                for row in $rows.iter() {
                    let insert = $crate::db::SameSql::new(
                        ::diesel::insert_into($table).values(row),
                        $crate::db::rows_of(&$table, row),
                    );
                    ::diesel::connection::Connection::execute_returning_count(c, &insert)?;
                }
            }
            // No round trip for nothing.
            $crate::db::DbConnection::Postgresql(c) if !$rows.is_empty() => {
                ::diesel::prelude::ExecuteCopyFromDsl::execute(
                    ::diesel::copy_from($table).from_insertable($rows.iter().collect::<Vec<_>>()),
                    c,
                )?;
            }
            $crate::db::DbConnection::Postgresql(_) => {}
        }
    };
}

/// A query whose SQL text is the same every time it runs, named by the
/// type `Id`, so that diesel's statement cache finds its prepared statement
/// by that type. diesel cannot know this of an insert of a derived
/// `Insertable` (each column may be left to its default), so it wrote the
/// insert's SQL out and hashed it before every execution: 8 % of an
/// import's time (perf).
///
/// Sound only when every query given one `Id` writes the same SQL; debug
/// builds check it, so the tests do. Whether the statement may be cached
/// at all is still the query's own answer: diesel asks it through a
/// reference, whose `QueryFragment` does not forward an override. A
/// single-row insert answers yes; an UPDATE never does (see
/// `TakeWriteLock`).
pub struct SameSql<Q, Id> {
    query: Q,
    id: std::marker::PhantomData<Id>,
}

impl<Q, Id> SameSql<Q, Id> {
    pub fn new(query: Q, id: std::marker::PhantomData<Id>) -> Self {
        Self { query, id }
    }
}

/// The `SameSql` id of the inserts of rows of type `R` into `T`.
pub fn rows_of<T: 'static, R: 'static>(_table: &T, _row: &R) -> std::marker::PhantomData<(T, R)> {
    std::marker::PhantomData
}

impl<Q, Id: 'static> diesel::query_builder::QueryId for SameSql<Q, Id> {
    type QueryId = Id;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Q, Id> diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for SameSql<Q, Id>
where
    Q: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
    Id: 'static,
{
    fn walk_ast<'b>(
        &'b self,
        pass: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        #[cfg(debug_assertions)]
        same_sql_check::<Id>(&self.query)?;
        self.query.walk_ast(pass)
    }
}

/// Debug builds: the SQL `query` writes is the SQL the first query with
/// this `Id` wrote.
#[cfg(debug_assertions)]
fn same_sql_check<Id: 'static>(
    query: &impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
) -> QueryResult<()> {
    use diesel::query_builder::QueryBuilder;
    use std::collections::HashMap;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashMap<std::any::TypeId, String>>> = Mutex::new(None);
    let mut builder = diesel::sqlite::SqliteQueryBuilder::new();
    query.to_sql(&mut builder, &diesel::sqlite::Sqlite)?;
    let sql = builder.finish();
    let mut seen = SEEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let first = seen
        .get_or_insert_with(HashMap::new)
        .entry(std::any::TypeId::of::<Id>())
        .or_insert_with(|| sql.clone());
    assert_eq!(
        *first, sql,
        "SameSql given queries that write different SQL"
    );
    Ok(())
}

/// The backend type of `DbConnection`, for boxed queries.
pub type DbBackend = <DbConnection as diesel::Connection>::Backend;

diesel::define_sql_function! {
    /// `substr(text, start)`, the same on SQLite and PostgreSQL (1-based).
    fn substr(text: diesel::sql_types::Text, start: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// The ids of the organisations whose path lies in `[lo, hi)` (a subtree,
/// see `auth::subtree_range`): the subquery every store filters by to keep a
/// record inside the caller's scope. Unboxed, so it nests in boxed queries.
pub type OrganisationIdsIn = diesel::dsl::Select<
    diesel::dsl::Filter<
        diesel::dsl::Filter<
            schema::organisations::table,
            diesel::dsl::GtEq<schema::organisations::path, String>,
        >,
        diesel::dsl::Lt<schema::organisations::path, String>,
    >,
    schema::organisations::id,
>;

pub fn organisation_ids_in(lo: String, hi: String) -> OrganisationIdsIn {
    use schema::organisations;
    organisations::table
        .filter(organisations::path.ge(lo))
        .filter(organisations::path.lt(hi))
        .select(organisations::id)
}

/// The materialised path of a record under `parent_path` (`/a/b/` + `id/`).
pub fn child_path(parent_path: Option<&str>, id: &str) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which database the service runs on, chosen from the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed `DATABASE_URL`.
#[derive(Debug, Clone)]
pub struct DatabaseUrl {
    pub backend: Backend,
    /// What the driver is given: a file path for SQLite, the URL for PostgreSQL.
    pub target: String,
}

impl DatabaseUrl {
    /// `sqlite://PATH` (or `sqlite:PATH`) and `postgres://…` / `postgresql://…`.
    ///
    /// The variant is picked here, from the scheme, because diesel's derived
    /// `establish` tries each backend in turn and SQLite accepts any string as
    /// a file name.
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| {
                format!("DATABASE_URL must start with sqlite:// or postgres://, got {url:?}")
            })?;
        if path.is_empty() {
            return Err("DATABASE_URL names no SQLite file".to_owned());
        }
        Ok(Self {
            backend: Backend::Sqlite,
            target: path.to_owned(),
        })
    }
}

/// When the last connection-level failure was seen (unix seconds), shared by
/// the pool's manager and every request.
#[derive(Debug, Default)]
struct FaultClock(AtomicI64);

/// After a connection-level failure, pooled connections are checked on their
/// way back to the pool for this long, so dead ones are dropped and the
/// service recovers without a restart; otherwise no check costs a round trip.
const FAULT_WATCH_SECONDS: i64 = 30;

impl FaultClock {
    fn mark(&self) {
        self.0
            .store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
    }

    fn recent(&self) -> bool {
        let at = self.0.load(Ordering::Relaxed);
        at != 0 && chrono::Utc::now().timestamp() - at < FAULT_WATCH_SECONDS
    }
}

/// The r2d2 manager: connects to the chosen backend and sets SQLite up.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    faults: Arc<FaultClock>,
}

/// How every SQLite connection of the service is set up (and set back to,
/// after a bulk load changed it: `seed::bulk`).
///
/// WAL lets readers run beside the writer; NORMAL sync is durable across a
/// killed process; the busy timeout makes writers queue. Each pooled
/// connection keeps its own page cache, so 4 MB each: at 32 MB the server
/// grew to 590 MB under the bench at 300 k members, mostly copies of the
/// same pages, which the OS page cache holds once anyway. At 8 MB the eight
/// caches held up to 64 MB after the bench's requests at 5.5 M members; a
/// page they miss is read from the OS's cache. At 4 MB, GET member as
/// viewer, a page of 50 members and the district's report measured within
/// the spread of the runs at 8 MB (README, Benchmark).
pub const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = NORMAL;
     PRAGMA foreign_keys = ON;
     PRAGMA busy_timeout = 5000;
     PRAGMA cache_size = -4000;
     PRAGMA temp_store = MEMORY;";

/// Settings for every PostgreSQL connection. No JIT: PostgreSQL compiles
/// any query its planner costs above 100 k, which every annual-report query
/// over a province or the country is, and compiling took longer than it
/// saved: 1.5 s of the 3.1 s of the country's events query, 1.8 s of its
/// register's 13.5 s (5.5 M members, `EXPLAIN ANALYZE`).
const POSTGRES_SETTINGS: &str = "SET jit = off";

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match self.url.backend {
            Backend::Postgres => {
                let mut conn = diesel::PgConnection::establish(&self.url.target)?;
                conn.batch_execute(POSTGRES_SETTINGS)
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Postgresql(conn))
            }
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(&self.url.target)?;
                conn.batch_execute(SQLITE_SETTINGS)
                    .and_then(|()| conn.batch_execute("PRAGMA optimize = 0x10002"))
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        if conn.is_broken() {
            return true;
        }
        self.faults.recent() && conn.batch_execute("SELECT 1").is_err()
    }
}

/// The database handle held by the app: a pool and what it runs on.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager>,
    faults: Arc<FaultClock>,
    /// The pool's manager, again, for connections outside the pool.
    manager: Arc<ConnectionManager>,
    pub backend: Backend,
}

/// How a pooled connection is handed to store code.
pub type Conn = PooledConnection<ConnectionManager>;

impl Db {
    /// Opens the pool (creating the SQLite file's folder) without touching the schema.
    pub fn connect(url: &str, pool_size: u32) -> Result<Self, String> {
        let url = DatabaseUrl::parse(url)?;
        if url.backend == Backend::Sqlite {
            if let Some(dir) = std::path::Path::new(&url.target).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
            }
        }
        let faults = Arc::new(FaultClock::default());
        let backend = url.backend;
        let manager = ConnectionManager {
            url,
            faults: faults.clone(),
        };
        let unpooled = Arc::new(manager.clone());
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(5))
            // Checked on return after faults instead (see FaultClock).
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        Ok(Self {
            pool,
            faults,
            manager: unpooled,
            backend,
        })
    }

    /// Applies the pending migrations of this backend.
    pub fn migrate(&self) -> Result<usize, String> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        let applied = match &mut *conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| format!("migration failed: {e}"))?;
        Ok(applied.len())
    }

    /// Whether every migration of this backend has been applied.
    pub fn migrations_pending(conn: &mut DbConnection) -> Result<bool, String> {
        let pending = match conn {
            DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
            DbConnection::Postgresql(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        };
        pending.map_err(|e| e.to_string())
    }

    /// A connection of its own, outside the pool, set up as pooled ones are.
    pub fn open_connection(&self) -> ApiResult<DbConnection> {
        self.manager.connect().map_err(|error| {
            tracing::error!(%error, "cannot open a connection");
            self.faults.mark();
            ApiError::DatabaseUnavailable
        })
    }

    /// A connection for work outside a request (start-up, seeding).
    pub fn get(&self) -> ApiResult<Conn> {
        self.pool.get().map_err(|_| ApiError::DatabaseUnavailable)
    }

    /// Runs blocking database work on the blocking pool, never on an async worker.
    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.with_connection(work)).await?
    }

    /// Runs `work` on a pooled connection on this thread; a failure to
    /// reach the database starts the watch for dead connections.
    fn with_connection<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let result = self
            .pool
            .get()
            .map_err(|_| ApiError::DatabaseUnavailable)
            .and_then(|mut conn| work(&mut conn));
        if matches!(result, Err(ApiError::DatabaseUnavailable)) {
            self.faults.mark();
        }
        result
    }

    /// Runs a point read (one record by id: a few index lookups) on the
    /// calling thread when the backend is SQLite and a connection is idle,
    /// else as `run`. Handing work to the blocking pool costs two thread
    /// switches, which bounded GET /members/{id} at about a sixth of
    /// `/healthz` whatever the query cost; an SQLite point read takes tens of
    /// microseconds, less than the switches. Never for work that can take
    /// long (lists, reports) nor on PostgreSQL, where every query waits on
    /// the network and would stall the other requests of this worker.
    pub async fn run_point_read<T, F>(&self, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if self.backend == Backend::Sqlite {
            if let Some(mut conn) = self.pool.try_get() {
                return work(&mut conn);
            }
        }
        self.run(work).await
    }

    /// A second connection for work that can split in two (see
    /// `share_out`), if one is idle now: never waits, so a busy server
    /// runs such work on one connection rather than queue for another.
    pub fn spare(&self) -> Option<Conn> {
        self.pool.try_get()
    }

    /// The pool's current size, for /metrics.
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }
}

/// Work for `share_out`: one piece of a long read, on whichever connection
/// takes it.
pub type Task<'a, T> = Box<dyn FnOnce(&mut DbConnection) -> T + Send + 'a>;

/// Runs `tasks` on `conn` and, when a spare connection was free
/// (`Db::spare`), on `spare` at once, on a thread of its own: each
/// connection takes the next task not yet taken until none is left, so a
/// long task on one leaves the rest to the other. The results come back in
/// the tasks' order. For long reads made of independent parts (the annual
/// report's register, cell group by cell group, and its year's figures),
/// on a machine whose other core would idle meanwhile. Parts read separate
/// snapshots, as statements outside a transaction already do.
pub fn share_out<T: Send>(
    conn: &mut DbConnection,
    spare: Option<&mut DbConnection>,
    tasks: Vec<Task<'_, T>>,
) -> Vec<T> {
    let queue = std::sync::Mutex::new(tasks.into_iter().enumerate());
    let take_until_done = |conn: &mut DbConnection| {
        let mut done = Vec::new();
        loop {
            let next = queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .next();
            let Some((index, task)) = next else {
                break done;
            };
            done.push((index, task(conn)));
        }
    };
    let mut done = match spare {
        Some(spare) => std::thread::scope(|scope| {
            let helper = scope.spawn(|| take_until_done(spare));
            let mut done = take_until_done(conn);
            match helper.join() {
                Ok(theirs) => done.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            done
        }),
        None => take_until_done(conn),
    };
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

/// Runs `work` in one transaction that writes, after every earlier writer
/// has committed: its reads (the `If-Match` version, a class's free seats, a
/// candidate's stage) cannot go stale before it commits. On SQLite the
/// transaction takes the write lock first, as `BEGIN IMMEDIATE` would, so
/// concurrent writers queue on the busy timeout rather than fail on a stale
/// snapshot. On PostgreSQL it takes the transaction-scoped advisory lock that
/// also orders the change feed (see `audit::serialise_feed_writers`), across
/// every instance on the database; under READ COMMITTED two writers could
/// otherwise both pass the same version check and both commit.
pub fn write_transaction<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> ApiResult<T>,
) -> ApiResult<T> {
    let _turn = match conn {
        DbConnection::Sqlite(_) => SqliteWriterTurn::take(),
        DbConnection::Postgresql(_) => None,
    };
    let depth = WriteDepth::enter();
    conn.transaction(|conn| {
        match conn {
            DbConnection::Sqlite(sqlite) => {
                diesel::connection::Connection::execute_returning_count(sqlite, &TakeWriteLock)?;
            }
            DbConnection::Postgresql(pg) => take_writers_lock(pg)?,
        }
        let value = work(conn)?;
        // Other instances keep accounts too: they hear of this one's
        // changes when it commits (`auth::listener`).
        if let DbConnection::Postgresql(pg) = conn {
            if depth.outermost() && crate::auth::cache::changed_in_this_write() {
                crate::auth::listener::announce(pg)?;
            }
        }
        Ok(value)
    })
}

/// The statement that starts a write transaction: on SQLite
/// `UPDATE write_lock SET n = n WHERE id = 1`, which takes its write lock;
/// on PostgreSQL `WRITERS_LOCK`. Written out by hand so that the statement
/// cache keeps it: diesel prepares each of its own UPDATEs again every
/// time it runs (a changeset may skip its `None`s), and every `sql_query`
/// too, which on PostgreSQL is a round trip of its own. On SQLite that was
/// 12 k of the 210 k instructions of an audited GET member (callgrind,
/// `bench/profile`).
struct TakeWriteLock;

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for TakeWriteLock {
    fn walk_ast<'b>(
        &'b self,
        mut pass: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        pass.push_sql("UPDATE write_lock SET n = n WHERE id = 1");
        Ok(())
    }
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for TakeWriteLock {
    fn walk_ast<'b>(
        &'b self,
        mut pass: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        pass.push_sql(WRITERS_LOCK);
        Ok(())
    }
}

impl diesel::query_builder::QueryId for TakeWriteLock {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

/// Takes the PostgreSQL writers' lock (`WRITERS_LOCK`) in the open
/// transaction, with a statement prepared once per connection.
pub fn take_writers_lock(pg: &mut diesel::PgConnection) -> QueryResult<()> {
    diesel::connection::Connection::execute_returning_count(pg, &TakeWriteLock).map(|_| ())
}

thread_local! {
    /// How many `write_transaction`s this thread is inside.
    static WRITE_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// This thread inside one more `write_transaction`, until dropped (after
/// the transaction has ended, panicking or not).
struct WriteDepth(u32);

impl WriteDepth {
    fn enter() -> Self {
        let outer = WRITE_DEPTH.get();
        WRITE_DEPTH.set(outer + 1);
        Self(outer)
    }

    /// Whether this is the thread's outermost write transaction.
    fn outermost(&self) -> bool {
        self.0 == 0
    }
}

impl Drop for WriteDepth {
    fn drop(&mut self) {
        WRITE_DEPTH.set(self.0);
        // The outermost transaction's end is the commit that readers see,
        // after which kept accounts are read again (`auth::cache`).
        if self.outermost() {
            crate::auth::cache::write_ended();
        }
    }
}

/// SQLite writers of this process queue here, before `BEGIN`, rather than
/// in SQLite's busy handler, which sleeps 1, 2, 5 … up to 100 ms between
/// tries: with 64 clients posting members, writers slept more than they
/// wrote. Turns are handed out in arrival order (a ticket queue): with a
/// plain mutex a writer that had just committed could take the lock again
/// ahead of those waiting, and some waited for a third of a second. One
/// process serves one SQLite database; other processes on the same file (a
/// `seed` run) still meet the busy timeout.
static SQLITE_WRITERS: WriterQueue = WriterQueue {
    tickets: std::sync::Mutex::new(Tickets {
        next: 0,
        serving: 0,
    }),
    turn: std::sync::Condvar::new(),
};

struct WriterQueue {
    tickets: std::sync::Mutex<Tickets>,
    turn: std::sync::Condvar,
}

struct Tickets {
    /// The ticket the next writer to arrive gets.
    next: u64,
    /// The ticket whose writer may write now.
    serving: u64,
}

impl WriterQueue {
    fn tickets(&self) -> std::sync::MutexGuard<'_, Tickets> {
        // Nothing is left half-done under this lock (it only counts), so a
        // poisoned one is still sound.
        self.tickets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

thread_local! {
    /// Whether this thread holds the writers' turn (a nested write
    /// transaction, a savepoint, must not wait for itself).
    static HOLDS_SQLITE_TURN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// This thread's turn to write to SQLite, until dropped.
struct SqliteWriterTurn;

impl SqliteWriterTurn {
    fn take() -> Option<Self> {
        if HOLDS_SQLITE_TURN.get() {
            return None;
        }
        let mut tickets = SQLITE_WRITERS.tickets();
        let mine = tickets.next;
        tickets.next += 1;
        while tickets.serving != mine {
            tickets = SQLITE_WRITERS
                .turn
                .wait(tickets)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        HOLDS_SQLITE_TURN.set(true);
        Some(Self)
    }
}

impl Drop for SqliteWriterTurn {
    fn drop(&mut self) {
        HOLDS_SQLITE_TURN.set(false);
        SQLITE_WRITERS.tickets().serving += 1;
        SQLITE_WRITERS.turn.notify_all();
    }
}

/// The PostgreSQL advisory lock every writer holds until it commits, keyed
/// by schema since advisory locks span the whole database.
pub const WRITERS_LOCK: &str =
    "SELECT pg_advisory_xact_lock(727130001, hashtext(current_schema()))";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_url_names_a_file() {
        let url = DatabaseUrl::parse("sqlite://data/party-registry.db").expect("valid url");
        assert_eq!(url.backend, Backend::Sqlite);
        assert_eq!(url.target, "data/party-registry.db");
    }

    #[test]
    fn postgres_url_is_passed_whole() {
        let url = DatabaseUrl::parse("postgres://u@localhost/db").expect("valid url");
        assert_eq!(url.backend, Backend::Postgres);
        assert_eq!(url.target, "postgres://u@localhost/db");
    }

    #[test]
    fn unknown_scheme_is_refused() {
        assert!(DatabaseUrl::parse("mysql://x").is_err());
    }

    #[test]
    fn migration_folders_stay_in_step() {
        let names = |dir: &str| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .expect("migrations folder")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let sqlite = names(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"));
        let postgres = names(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"));
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres);
    }
}
