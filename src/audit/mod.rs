//! The audit log and the change journal.
//!
//! `record` writes, in the caller's transaction, one audit event (who, what,
//! before/after) and one change-feed entry (the record as it now is, or a
//! tombstone). The API offers no way to change or delete either.

pub mod reads;
pub mod routes;

use diesel::prelude::*;
use serde::Serialize;

use crate::api::{new_id, now};
use crate::auth::Access;
use crate::db::schema::{audit_events, changes};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};

/// A committed write to journal.
pub struct Write<'a> {
    /// `create`, `update`, `delete`, or a domain action (`merge`, …).
    pub action: &'a str,
    /// Record type as named in the change feed (`organisation`, `locality`, …).
    pub record_type: &'a str,
    pub record_id: &'a str,
    /// The organisation path the record belongs to, for scoped reads of the
    /// journal; `None` for records outside the organisation tree.
    pub organisation_path: Option<&'a str>,
    pub version: i64,
    /// The record before the write, as JSON (`image`).
    pub before: Option<String>,
    /// The record after the write, as JSON (`image`); `None` for a delete.
    pub after: Option<String>,
}

/// Record types of the change feed (SPEC section 8); accounts are audited
/// but never synced.
pub const SYNC_TYPES: &[&str] = &[
    "locality",
    "organisation",
    "person",
    "member",
    "member_event",
    "candidate",
    "admission_quota",
    "cadre",
    "position",
    "appointment",
    "rotation",
    "training_class",
    "enrolment",
    "assessment",
    "award",
    "study_campaign",
    "participation",
    "oversight",
    "village_charge",
];

/// Journals a write in the current transaction: an audit event always, and a
/// change-feed entry for the record types that sync.
pub fn record(conn: &mut DbConnection, access: &Access, write: Write<'_>) -> ApiResult<()> {
    crate::auth::cache::note_write(write.record_type);
    let at = now();
    let after_json = write.after;
    // Every write comes through here, some several times: the inserts run
    // on the backend's own connection (see `on_backend!`).
    let audit_row = diesel::insert_into(audit_events::table).values((
        audit_events::id.eq(new_id()),
        audit_events::at.eq(at),
        audit_events::actor_type.eq(access.kind.as_str()),
        audit_events::actor_id.eq(Some(&access.account_id)),
        audit_events::actor_name.eq(Some(&access.name)),
        audit_events::action.eq(write.action),
        audit_events::resource_type.eq(write.record_type),
        audit_events::resource_id.eq(Some(write.record_id)),
        audit_events::organisation_path.eq(write.organisation_path),
        audit_events::request_id.eq(Some(&access.request_id)),
        audit_events::before_json.eq(write.before.as_deref()),
        audit_events::after_json.eq(after_json.as_deref()),
    ));
    crate::on_backend!(conn, |c| audit_row.execute(c))?;
    if !SYNC_TYPES.contains(&write.record_type) {
        return Ok(());
    }
    serialise_feed_writers(conn)?;
    let change_row = diesel::insert_into(changes::table).values((
        changes::record_type.eq(write.record_type),
        changes::record_id.eq(write.record_id),
        changes::op.eq(if after_json.is_some() {
            "upsert"
        } else {
            "delete"
        }),
        changes::version.eq(write.version),
        changes::at.eq(at),
        changes::organisation_path.eq(write.organisation_path),
        changes::data.eq(after_json.as_deref()),
    ));
    crate::on_backend!(conn, |c| change_row.execute(c))?;
    Ok(())
}

/// Makes change-feed sequence numbers commit in order. On PostgreSQL,
/// concurrent transactions (from any number of instances) could otherwise
/// commit a higher `seq` before a lower one, and a client that had already
/// read past the lower one would miss it. A transaction-scoped advisory lock,
/// taken before the first journal insert and held until commit, orders them.
/// SQLite writers are already serialised by its write lock.
fn serialise_feed_writers(conn: &mut DbConnection) -> ApiResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        // Already held by `write_transaction`; taken again (it is re-entrant)
        // for journal writes outside it.
        crate::db::take_writers_lock(pg)?;
    }
    Ok(())
}

/// A change-feed entry as stored (`seq` is the table's own counter, so rows
/// inserted together keep the order they are given in).
#[derive(Insertable)]
#[diesel(table_name = changes, treat_none_as_default_value = false)]
pub struct ChangeRow {
    pub record_type: String,
    pub record_id: String,
    pub op: &'static str,
    pub version: i64,
    pub at: chrono::NaiveDateTime,
    pub organisation_path: Option<String>,
    pub data: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
struct AuditRow {
    id: String,
    at: chrono::NaiveDateTime,
    actor_type: &'static str,
    actor_id: Option<String>,
    actor_name: Option<String>,
    action: String,
    resource_type: String,
    resource_id: Option<String>,
    organisation_path: Option<String>,
    request_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// The journal of many writes of one caller, gathered in memory and written
/// by `write` in a few multi-row inserts: what `record` writes for each of
/// them, in the same order, where `record` runs two statements a write. For
/// bulk paths (an import's registrations), which write thousands of records
/// in one transaction.
#[derive(Default)]
pub struct Journal {
    audit: Vec<AuditRow>,
    changes: Vec<ChangeRow>,
}

impl Journal {
    /// Adds the audit event and change-feed entry `record` would write.
    /// `record` keeps its own borrowed inserts: built from these owned rows,
    /// which copy the image twice, POST /members ran 4-5 % slower.
    pub fn add(&mut self, access: &Access, write: Write<'_>) {
        crate::auth::cache::note_write(write.record_type);
        let at = now();
        let after_json = write.after;
        let organisation_path = write.organisation_path.map(str::to_owned);
        if SYNC_TYPES.contains(&write.record_type) {
            self.changes.push(ChangeRow {
                record_type: write.record_type.to_owned(),
                record_id: write.record_id.to_owned(),
                op: if after_json.is_some() {
                    "upsert"
                } else {
                    "delete"
                },
                version: write.version,
                at,
                organisation_path: organisation_path.clone(),
                data: after_json.clone(),
            });
        }
        self.audit.push(AuditRow {
            id: new_id(),
            at,
            actor_type: access.kind.as_str(),
            actor_id: Some(access.account_id.clone()),
            actor_name: Some(access.name.clone()),
            action: write.action.to_owned(),
            resource_type: write.record_type.to_owned(),
            resource_id: Some(write.record_id.to_owned()),
            organisation_path,
            request_id: Some(access.request_id.clone()),
            before_json: write.before,
            after_json,
        });
    }

    /// Writes everything added, in the caller's transaction.
    pub fn write(self, conn: &mut DbConnection) -> ApiResult<()> {
        if !self.changes.is_empty() {
            serialise_feed_writers(conn)?;
        }
        crate::bulk_insert!(conn, audit_events::table, self.audit);
        crate::bulk_insert!(conn, changes::table, self.changes);
        Ok(())
    }
}

/// Journals a write of a record that moved in the tree: callers that could
/// see it at `previous_path` but not at its new place get a tombstone first
/// (SPEC 8: a record leaving a caller's scope appears as a delete).
pub fn record_moved(
    conn: &mut DbConnection,
    access: &Access,
    write: Write<'_>,
    previous_path: &str,
) -> ApiResult<()> {
    if write.organisation_path != Some(previous_path) && SYNC_TYPES.contains(&write.record_type) {
        serialise_feed_writers(conn)?;
        diesel::insert_into(changes::table)
            .values((
                changes::record_type.eq(write.record_type),
                changes::record_id.eq(write.record_id),
                changes::op.eq("delete"),
                changes::version.eq(write.version),
                changes::at.eq(now()),
                changes::organisation_path.eq(Some(previous_path)),
                changes::data.eq(None::<String>),
            ))
            .execute(conn)?;
    }
    record(conn, access, write)
}

/// Journals the move of a subtree for everything in it: each record whose
/// latest feed entry sits under `old_path` gets a tombstone there, then the
/// same image under `new_path`, so a caller scoped to the old place sees it
/// leave and one scoped to the new place sees it arrive (SPEC section 8).
/// The moved organisation itself is journalled by its own save.
pub fn record_subtree_moved(
    conn: &mut DbConnection,
    moved_id: &str,
    old_path: &str,
    new_path: &str,
) -> ApiResult<()> {
    // Paths and ids are made of UUIDs and slashes; nothing else is inlined.
    let safe = |text: &str| {
        text.chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-' || c == '/')
    };
    if !(safe(moved_id) && safe(old_path) && safe(new_path)) {
        return Err(ApiError::Internal("unexpected organisation path".into()));
    }
    serialise_feed_writers(conn)?;
    let (lo, hi) = crate::auth::subtree_range(old_path);
    let at = now().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    // PostgreSQL types a bare literal in a UNION as text.
    let at = match conn {
        DbConnection::Postgresql(_) => format!("CAST('{at}' AS TIMESTAMP)"),
        DbConnection::Sqlite(_) => format!("'{at}'"),
    };
    let keep_from = old_path.len() + 1;
    let latest = format!(
        "FROM changes c WHERE c.organisation_path >= '{lo}' AND c.organisation_path < '{hi}' \
           AND c.op = 'upsert' AND NOT (c.record_type = 'organisation' AND c.record_id = '{moved_id}') \
           AND c.seq = (SELECT MAX(n.seq) FROM changes n \
                        WHERE n.record_type = c.record_type AND n.record_id = c.record_id)"
    );
    diesel::sql_query(format!(
        "INSERT INTO changes (record_type, record_id, op, version, at, organisation_path, data) \
         SELECT record_type, record_id, op, version, at, organisation_path, data FROM ( \
           SELECT c.seq AS s, 0 AS k, c.record_type, c.record_id, 'delete' AS op, c.version, \
                  {at} AS at, c.organisation_path, NULL AS data {latest} \
           UNION ALL \
           SELECT c.seq AS s, 1 AS k, c.record_type, c.record_id, 'upsert' AS op, c.version, \
                  {at} AS at, '{new_path}' || SUBSTR(c.organisation_path, {keep_from}) AS organisation_path, \
                  c.data AS data {latest} \
         ) moved ORDER BY s, k"
    ))
    .execute(conn)?;
    Ok(())
}

/// Records that a privileged caller read a full personal record (SPEC 4).
pub fn record_read(
    conn: &mut DbConnection,
    access: &Access,
    record_type: &str,
    record_id: &str,
    organisation_path: Option<&str>,
) -> ApiResult<()> {
    let record = reads::ReadRecord::new(access, record_type, record_id, organisation_path);
    // Under `AppState::read` the row joins the next group commit, which the
    // handler awaits before answering; anywhere else it is written here.
    match reads::collect(record) {
        None => Ok(()),
        Some(record) => record.insert(conn),
    }
}

/// The JSON of a view, for before/after images: written straight to text,
/// in the view's field order. Built as a `serde_json::Value` first it cost
/// a sorted map per record and its walk, 8 % of an import (perf).
pub fn image<T: Serialize>(view: &T) -> Option<String> {
    serde_json::to_string(view).ok()
}

/// A stored image (see `image`) as the API answers it: its JSON text
/// spliced into the answer as it is, after a check that it is JSON.
/// Parsed into a `serde_json::Value` it cost a map per record and a walk
/// to print it again, on every page of the audit log and the change feed.
pub fn stored_image(text: Option<String>) -> Option<Box<serde_json::value::RawValue>> {
    text.and_then(|text| serde_json::value::RawValue::from_string(text).ok())
}
