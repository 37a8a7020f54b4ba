//! Loading a large generated register into an empty SQLite database.
//!
//! Row by row, every insert updates every index of its table: at 5.5 M
//! members that is some twenty B-trees far larger than the page cache, and
//! the load slowed to a quarter of its speed at 300 k. Set aside while the
//! rows go in and created afterwards, each index is built by one sort.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::members;
use crate::db::{DbConnection, SQLITE_SETTINGS};

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
}

impl SqliteBulkLoad {
    /// Sets aside the indexes and triggers of `tables` when `conn` is SQLite
    /// and holds no member yet; otherwise (PostgreSQL, or adding to a
    /// register) returns `None` and the rows go in through the indexes as
    /// usual.
    ///
    /// Also relaxes durability for the load: a seed that fails half way
    /// leaves a register to throw away whatever the journal holds.
    pub fn begin(conn: &mut DbConnection, tables: &[&str]) -> QueryResult<Option<Self>> {
        let DbConnection::Sqlite(sqlite) = conn else {
            return Ok(None);
        };
        let has_members: bool =
            diesel::select(diesel::dsl::exists(members::table.select(members::id)))
                .get_result(sqlite)?;
        if has_members {
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
        // has; with others open (tests) the load stays in WAL, so a refusal
        // is no error.
        let _ = sqlite.batch_execute("PRAGMA journal_mode = MEMORY");
        let tables = tables
            .iter()
            .map(|table| format!("'{table}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let set_aside: Vec<SchemaObject> = diesel::sql_query(format!(
            "SELECT type AS kind, name, sql FROM sqlite_master \
             WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ({tables}) \
             ORDER BY type, name"
        ))
        .load(sqlite)?;
        sqlite.transaction(|c| {
            for object in &set_aside {
                c.batch_execute(&format!("DROP {} \"{}\"", object.kind, object.name))?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        Ok(Some(Self { set_aside }))
    }

    /// Builds the indexes, fills the name-search index from the members
    /// now loaded, puts the triggers back and sets the connection up again
    /// as every connection of the service is (`db::SQLITE_SETTINGS`, which
    /// also brings the journal back to WAL).
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
        sqlite.batch_execute(SQLITE_SETTINGS)?;
        sqlite.batch_execute("PRAGMA threads = 0")
    }
}
