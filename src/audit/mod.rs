//! The audit log and the change journal.
//!
//! `record` writes, in the caller's transaction, one audit event (who, what,
//! before/after) and one change-feed entry (the record as it now is, or a
//! tombstone). The API offers no way to change or delete either.

pub mod routes;

use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::api::{new_id, now};
use crate::auth::Access;
use crate::db::schema::{audit_events, changes};
use crate::db::DbConnection;
use crate::error::ApiResult;

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
    pub before: Option<Value>,
    /// The record after the write; `None` for a delete.
    pub after: Option<Value>,
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
    let at = now();
    let after_json = write.after.as_ref().map(Value::to_string);
    diesel::insert_into(audit_events::table)
        .values((
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
            audit_events::before_json.eq(write.before.as_ref().map(Value::to_string)),
            audit_events::after_json.eq(after_json.as_deref()),
        ))
        .execute(conn)?;
    if !SYNC_TYPES.contains(&write.record_type) {
        return Ok(());
    }
    serialise_feed_writers(conn)?;
    diesel::insert_into(changes::table)
        .values((
            changes::record_type.eq(write.record_type),
            changes::record_id.eq(write.record_id),
            changes::op.eq(if write.after.is_some() {
                "upsert"
            } else {
                "delete"
            }),
            changes::version.eq(write.version),
            changes::at.eq(at),
            changes::organisation_path.eq(write.organisation_path),
            changes::data.eq(after_json.as_deref()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Makes change-feed sequence numbers commit in order. On PostgreSQL,
/// concurrent transactions (from any number of instances) could otherwise
/// commit a higher `seq` before a lower one, and a client that had already
/// read past the lower one would miss it. A transaction-scoped advisory lock,
/// taken before the first journal insert and held until commit, orders them.
/// SQLite writers are already serialised by its write lock.
fn serialise_feed_writers(conn: &mut DbConnection) -> ApiResult<()> {
    if matches!(conn, DbConnection::Postgresql(_)) {
        // Already held by `write_transaction`; taken again (it is re-entrant)
        // for journal writes outside it.
        diesel::sql_query(crate::db::WRITERS_LOCK).execute(conn)?;
    }
    Ok(())
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

/// Records that a privileged caller read a full personal record (SPEC 4).
pub fn record_read(
    conn: &mut DbConnection,
    access: &Access,
    record_type: &str,
    record_id: &str,
    organisation_path: Option<&str>,
) -> ApiResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(new_id()),
            audit_events::at.eq(now()),
            audit_events::actor_type.eq(access.kind.as_str()),
            audit_events::actor_id.eq(Some(&access.account_id)),
            audit_events::actor_name.eq(Some(&access.name)),
            audit_events::action.eq("read"),
            audit_events::resource_type.eq(record_type),
            audit_events::resource_id.eq(Some(record_id)),
            audit_events::organisation_path.eq(organisation_path),
            audit_events::request_id.eq(Some(&access.request_id)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The JSON of a view, for before/after images.
pub fn image<T: Serialize>(view: &T) -> Option<Value> {
    serde_json::to_value(view).ok()
}
