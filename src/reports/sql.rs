//! Small helpers for the reports' aggregate SQL, which is the same text on
//! SQLite and PostgreSQL. Only typed values are ever inlined (ids as UUIDs,
//! dates, integers), so nothing a client sends reaches SQL as text.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use uuid::Uuid;

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

/// `'id1','id2',…` for an IN list; an empty list matches nothing.
pub fn ids<'a>(ids: impl IntoIterator<Item = &'a Uuid>) -> String {
    let quoted: Vec<String> = ids.into_iter().map(|id| format!("'{id}'")).collect();
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
    fn ids_are_quoted_and_an_empty_list_matches_nothing() {
        let id = Uuid::parse_str("0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61").expect("a UUID");
        assert_eq!(ids([&id, &id]), format!("'{id}','{id}'"));
        assert_eq!(ids([]), "''");
    }
}
