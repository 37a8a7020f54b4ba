//! Name search over members on SQLite, through the `member_names` FTS5
//! trigram index (migration 000006). PostgreSQL needs nothing here: its
//! planner serves the same LIKE from the trigram GIN index, or walks the id
//! index when matches are dense, from its own statistics.
//!
//! SQLite has no statistics for a LIKE, so the choice is made here. Walking
//! members in id order stops once a page is full, after about
//! `rows × members / matches` rows; the index hands over every match, each
//! fetched and sorted before the first row of a page, at about ten times
//! the cost of a walked row (measured at 300 k members: 95 ms for 33 k
//! matches against 87 ms for a walk over all 300 k). So the index is used
//! while `matches² < rows × members / 10`, and, when the page is not in id
//! order (the walk then reads every member anyway), while
//! `matches < members / 10`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use crate::db::schema::members as m;
use crate::db::{DbBackend, DbConnection};
use crate::error::ApiResult;

/// The trigram index only narrows patterns with a run of three characters.
const MIN_INDEXED_CHARS: usize = 3;

/// How many times a match fetched through the index costs a walked row.
const INDEX_COST: i64 = 10;

/// Below this many matches the index is used whatever the size: both plans
/// take a few milliseconds there, and the index's cost is bounded.
const FEW_MATCHES: i64 = 1_000;

/// The most rowids read from the index: past this many matches the probe
/// alone would cost about what a walk over every member does (at 5.5 M
/// members an uncapped probe made a count of a common name take 11 s).
const MAX_CANDIDATES: i64 = 20_000;

/// How the page is read when the index is not used.
#[derive(Debug, Clone, Copy)]
pub enum Walk {
    /// In id order, stopping after this many rows.
    ById(i64),
    /// Every member, then sorted.
    Everything,
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub type Narrowing = Box<dyn BoxableExpression<m::table, DbBackend, SqlType = Bool>>;

/// Every member whose folded name holds the trigrams covering the query (a
/// superset of the matches), as rowids in the JSON array `json_each` reads.
#[derive(Debug, Clone)]
pub struct Candidates(String);

impl Candidates {
    /// A filter keeping these members only. It narrows; the caller still
    /// applies the exact LIKE on the name, and every other filter.
    pub fn narrowing(&self) -> Narrowing {
        Box::new(
            diesel::dsl::sql::<Bool>("members.rowid IN (SELECT value FROM json_each(")
                .bind::<Text, _>(self.0.clone())
                .sql("))"),
        )
    }
}

/// The members whose folded name may contain `folded`, when the trigram
/// index is the faster plan on this connection; `None` otherwise
/// (PostgreSQL decides for itself, short patterns, names matching many
/// members). The index is read once, up to the number of matches where
/// walking wins.
pub fn candidates(
    conn: &mut DbConnection,
    folded: &str,
    walk: Walk,
) -> ApiResult<Option<Candidates>> {
    if !matches!(conn, DbConnection::Sqlite(_)) || folded.chars().count() < MIN_INDEXED_CHARS {
        return Ok(None);
    }
    let bound = index_bound(conn, walk)?;
    // Trigrams covering the query, rather than FTS5's LIKE: candidates
    // without checking each against its name, which the page query does
    // anyway (a probe of a common name read 5 k names for it).
    let found: Vec<Number> =
        diesel::sql_query("SELECT rowid AS n FROM member_names WHERE member_names MATCH ? LIMIT ?")
            .bind::<Text, _>(trigrams(folded))
            .bind::<BigInt, _>(bound)
            .load(conn)?;
    if found.len() >= usize::try_from(bound).unwrap_or(usize::MAX) {
        return Ok(None);
    }
    let rowids: Vec<i64> = found.into_iter().map(|r| r.n).collect();
    Ok(Some(Candidates(serde_json::json!(rowids).to_string())))
}

/// The largest rowid of members on SQLite (0 on PostgreSQL): the members
/// inserted after it are those with a larger one, since rowids are handed
/// out in order and members are never purged.
pub fn newest_rowid(conn: &mut DbConnection) -> QueryResult<i64> {
    if !matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(0);
    }
    let newest: Number =
        diesel::sql_query("SELECT coalesce(max(rowid), 0) AS n FROM members").get_result(conn)?;
    Ok(newest.n)
}

/// Adds the members inserted after `newest_rowid` returned `after` to the
/// name-search index, in one statement (SQLite; the migration
/// `member_names_by_hand` says why this is not a trigger). PostgreSQL
/// indexes the column itself.
pub fn index_inserted_since(conn: &mut DbConnection, after: i64) -> QueryResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        diesel::sql_query(
            "INSERT INTO member_names (rowid, search_name) \
             SELECT rowid, search_name FROM members WHERE rowid > ?",
        )
        .bind::<BigInt, _>(after)
        .execute(c)?;
    }
    Ok(())
}

/// Adds the member just inserted on this connection to the name-search
/// index (SQLite). A single-row `VALUES`, not `index_inserted_since`: an
/// `INSERT … SELECT` would make SQLite open a savepoint, in which FTS5
/// flushes every earlier request's trigrams of the same group commit.
pub fn index_last_inserted(conn: &mut DbConnection, search_name: &str) -> QueryResult<()> {
    if let DbConnection::Sqlite(c) = conn {
        diesel::sql_query(
            "INSERT INTO member_names (rowid, search_name) VALUES (last_insert_rowid(), ?)",
        )
        .bind::<Text, _>(search_name)
        .execute(c)?;
    }
    Ok(())
}

/// The number of matches from which walking members is the faster plan.
fn index_bound(conn: &mut DbConnection, walk: Walk) -> ApiResult<i64> {
    // The largest rowid is the number of members, without counting them.
    let members = newest_rowid(conn)?;
    let bound = match walk {
        Walk::ById(rows) => isqrt(rows.saturating_mul(members) / INDEX_COST),
        Walk::Everything => members / INDEX_COST,
    };
    Ok(bound.clamp(FEW_MATCHES, MAX_CANDIDATES))
}

/// An FTS5 query for the rows holding trigrams that cover `folded`: one
/// every three characters, and the last, each quoted (folded text holds
/// only letters, digits and single spaces). Every row holding the pattern
/// holds them, so the rows found are still a superset of the matches.
/// Overlapping trigrams narrow the set hardly more, and each one costs a
/// walk along its list of rows: at 5.5 M members the twelve trigrams of
/// "nguyen van hai" took 48 ms to intersect and these five 22 ms, for the
/// same 645 rows.
fn trigrams(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let last = chars.len().saturating_sub(MIN_INDEXED_CHARS);
    let mut starts: Vec<usize> = (0..=last).step_by(MIN_INDEXED_CHARS).collect();
    if starts.last() != Some(&last) {
        starts.push(last);
    }
    starts
        .into_iter()
        .filter_map(|start| chars.get(start..start + MIN_INDEXED_CHARS))
        .map(|w| format!("\"{}\"", w.iter().collect::<String>()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn isqrt(n: i64) -> i64 {
    // Exact enough: f64 holds every count of members there can be.
    (n.max(0) as f64).sqrt() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_cover_the_pattern_each_quoted() {
        assert_eq!(trigrams("lo thi"), r#""lo " "thi""#);
        assert_eq!(trigrams("lo thi m"), r#""lo " "thi" "i m""#);
        assert_eq!(
            trigrams("nguyen van hai"),
            r#""ngu" "yen" " va" "n h" "hai""#
        );
        assert_eq!(trigrams("abc"), r#""abc""#);
        assert_eq!(trigrams("abcd"), r#""abc" "bcd""#);
    }

    #[test]
    fn square_roots_round_down() {
        assert_eq!(isqrt(0), 0);
        assert_eq!(isqrt(24), 4);
        assert_eq!(isqrt(25), 5);
        assert_eq!(isqrt(-3), 0);
    }
}
