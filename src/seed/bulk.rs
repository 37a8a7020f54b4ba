//! Loading a large generated register into an empty SQLite database.
//!
//! Row by row, every insert updates every index of its table: at 5.5 M
//! members that is some twenty B-trees far larger than the page cache, and
//! the load slowed to a quarter of its speed at 300 k. Set aside while the
//! rows go in and created afterwards, each index is built by one sort.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::DbConnection;

/// The tables the synthetic register fills in bulk.
const BULK_TABLES: &str = "'people', 'members', 'member_events', 'changes', \
     'candidates', 'training_classes', 'enrolments', 'assessments', 'cadres', 'appointments'";

#[derive(QueryableByName)]
struct SchemaObject {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// The indexes and triggers of the bulk tables, dropped for the load and
/// made again, from their own saved SQL, by `finish`.
pub struct SqliteBulkLoad {
    set_aside: Vec<SchemaObject>,
    left_wal: bool,
}

impl SqliteBulkLoad {
    /// Sets the indexes aside when `conn` is SQLite and holds no member yet;
    /// otherwise (PostgreSQL, or adding to a register) returns `None` and
    /// the rows go in through the indexes as usual.
    ///
    /// Also relaxes durability for the load: a seed that fails half way
    /// leaves a register to throw away whatever the journal holds.
    pub fn begin(conn: &mut DbConnection) -> QueryResult<Option<Self>> {
        let DbConnection::Sqlite(sqlite) = conn else {
            return Ok(None);
        };
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let members: Count =
            diesel::sql_query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM members LIMIT 1)")
                .get_result(sqlite)?;
        if members.n > 0 {
            return Ok(None);
        }
        // Foreign keys are left unchecked: the generator makes every parent
        // before its children, and the checks are one lookup per reference.
        // `threads` lets the sorts that build the indexes use a second core.
        sqlite.batch_execute(
            "PRAGMA synchronous = OFF;
             PRAGMA foreign_keys = OFF;
             PRAGMA cache_size = -1000000;
             PRAGMA threads = 2;",
        )?;
        // An in-memory rollback journal writes each page once, where the WAL
        // wrote it twice (to the log, then back at the checkpoint). Leaving
        // WAL needs the only connection to the file, which the seed command
        // has; with others open (tests) the load stays in WAL.
        let left_wal = sqlite.batch_execute("PRAGMA journal_mode = MEMORY").is_ok();
        let set_aside: Vec<SchemaObject> = diesel::sql_query(format!(
            "SELECT type AS kind, name, sql FROM sqlite_master \
             WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ({BULK_TABLES}) \
             ORDER BY type, name"
        ))
        .load(sqlite)?;
        sqlite.transaction(|c| {
            for object in &set_aside {
                c.batch_execute(&format!("DROP {} \"{}\"", object.kind, object.name))?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        Ok(Some(Self {
            set_aside,
            left_wal,
        }))
    }

    /// Builds the indexes, fills the name-search index from the members
    /// now loaded, puts the triggers back and restores the settings.
    pub fn finish(self, conn: &mut DbConnection) -> QueryResult<()> {
        let DbConnection::Sqlite(sqlite) = conn else {
            return Ok(());
        };
        sqlite.transaction(|c| {
            // Indexes sort before triggers (`ORDER BY type`), and the
            // triggers must not exist while the search index is rebuilt.
            for object in self.set_aside.iter().filter(|o| o.kind == "index") {
                tracing::info!(index = %object.name, "building index");
                c.batch_execute(&object.sql)?;
            }
            c.batch_execute("INSERT INTO member_names (member_names) VALUES ('rebuild')")?;
            for object in self.set_aside.iter().filter(|o| o.kind == "trigger") {
                c.batch_execute(&object.sql)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        if self.left_wal {
            sqlite.batch_execute("PRAGMA journal_mode = WAL")?;
        }
        sqlite.batch_execute(
            "PRAGMA foreign_keys = ON;
             PRAGMA synchronous = NORMAL;
             PRAGMA cache_size = -8000;
             PRAGMA threads = 0;",
        )
    }
}
