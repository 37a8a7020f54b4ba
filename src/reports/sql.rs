//! Small helpers for the reports' aggregate SQL, which is the same text on
//! SQLite and PostgreSQL. Only typed values are ever inlined (ids checked to
//! be UUIDs, dates, integers), so nothing a client sends reaches SQL as text.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

#[derive(QueryableByName)]
pub struct Count {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

#[derive(QueryableByName)]
pub struct KeyCount {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// `'id1','id2',…` for an IN list; ids that are not UUIDs are dropped, and
/// an empty list matches nothing.
pub fn ids(ids: &[String]) -> String {
    let quoted: Vec<String> = ids
        .iter()
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .map(|id| format!("'{id}'"))
        .collect();
    if quoted.is_empty() {
        "''".to_owned()
    } else {
        quoted.join(",")
    }
}

/// A date literal.
pub fn date(day: NaiveDate) -> String {
    format!("'{}'", day.format("%Y-%m-%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_uuids_reach_the_sql() {
        let list = ids(&[
            "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61".to_owned(),
            "x'); DROP TABLE members; --".to_owned(),
        ]);
        assert_eq!(list, "'0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61'");
        assert_eq!(ids(&[]), "''");
    }
}
