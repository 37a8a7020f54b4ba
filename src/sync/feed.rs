//! `GET /api/v1/changes`: every committed create, update and delete within
//! the caller's scope, in commit order, with an opaque cursor and long-poll.
//!
//! Sequence numbers commit in order (see `audit::serialise_feed_writers`),
//! so a client that keeps following `next_cursor` never misses a change.

use std::time::{Duration, Instant};

use actix_web::{get, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::SYNC_TYPES;
use crate::auth::{Access, Caller, Right};
use crate::db::schema::{changes, settings};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult, Problem};
use crate::i18n::Msg;
use crate::state::AppState;

/// Longest long-poll, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 60;
/// How often a long-poll looks again.
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// Settings key of the lowest sequence number still complete in the feed.
pub const RETAINED_FROM: &str = "changes_retained_from";

/// Parameters of the feed.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Opaque cursor from `next_cursor` (or an export's `X-Change-Cursor`); none starts at the beginning.
    pub cursor: Option<String>,
    /// Changes per page, 1–1000 (default 100).
    #[param(example = 100, minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Comma-separated record types (`member,organisation`); all when absent.
    #[param(example = "member,organisation")]
    pub types: Option<String>,
    /// Seconds to hold the request when nothing is new (0–60).
    #[param(example = 30, maximum = 60)]
    pub wait: Option<u64>,
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"cursor": "MTIz", "type": "member", "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01",
    "op": "upsert", "version": 3, "at": "2026-11-25T03:00:00Z", "data": {"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01", "status": "official"}}))]
pub struct Change {
    /// Cursor just after this change.
    pub cursor: String,
    #[serde(rename = "type")]
    pub record_type: String,
    pub id: String,
    /// `upsert` or `delete`.
    pub op: String,
    pub version: i64,
    pub at: DateTime<Utc>,
    /// The record as it was after the change; `null` for a delete.
    #[schema(value_type = Option<Object>)]
    pub data: Option<Box<serde_json::value::RawValue>>,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"changes": [{"cursor": "YzEyMw", "type": "member", "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01",
    "op": "upsert", "version": 3, "at": "2026-11-25T03:00:00Z", "data": {"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01", "status": "official"}}],
    "next_cursor": "YzEyMw", "has_more": false}))]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Where to continue; the same cursor when nothing was new.
    pub next_cursor: String,
    /// Whether more changes are waiting right now.
    pub has_more: bool,
}

pub fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("c{seq}"))
}

pub fn decode_cursor(cursor: &str) -> ApiResult<i64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix('c').and_then(|n| n.parse::<i64>().ok()))
        .filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::invalid_field("cursor", "invalid_cursor", Msg::InvalidCursor))
}

/// The cursor of the latest committed change, for exports taken in the same snapshot.
pub fn current_cursor(conn: &mut DbConnection) -> ApiResult<String> {
    let latest: Option<i64> = changes::table
        .select(diesel::dsl::max(changes::seq))
        .first(conn)?;
    Ok(encode_cursor(latest.unwrap_or(0)))
}

fn parse_types(types: Option<&str>) -> ApiResult<Vec<String>> {
    let Some(types) = types else {
        return Ok(Vec::new());
    };
    let mut wanted = Vec::new();
    for t in types.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !SYNC_TYPES.contains(&t) {
            return Err(ApiError::invalid_field(
                "types",
                "unknown_type",
                Msg::UnknownType.with("type", t),
            ));
        }
        wanted.push(t.to_owned());
    }
    Ok(wanted)
}

type ChangeRow = (
    i64,
    String,
    String,
    String,
    i64,
    NaiveDateTime,
    Option<String>,
);

/// One read of the feed after `after`.
fn read(
    conn: &mut DbConnection,
    access: &Access,
    after: i64,
    types: &[String],
    limit: i64,
) -> ApiResult<(Vec<Change>, bool)> {
    let retained_from: Option<String> = settings::table
        .filter(settings::key.eq(RETAINED_FROM))
        .select(settings::value)
        .first(conn)
        .optional()?;
    if let Some(from) = retained_from.and_then(|v| v.parse::<i64>().ok()) {
        if after > 0 && after < from {
            return Err(ApiError::Gone);
        }
    }
    let mut query = changes::table.filter(changes::seq.gt(after)).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query
            .filter(changes::organisation_path.ge(lo))
            .filter(changes::organisation_path.lt(hi));
    }
    if !types.is_empty() {
        query = query.filter(changes::record_type.eq_any(types.to_vec()));
    }
    let rows: Vec<ChangeRow> = query
        .order(changes::seq.asc())
        .limit(limit + 1)
        .select((
            changes::seq,
            changes::record_type,
            changes::record_id,
            changes::op,
            changes::version,
            changes::at,
            changes::data,
        ))
        .load(conn)?;
    let has_more = rows.len() as i64 > limit;
    let changes = rows
        .into_iter()
        .take(limit as usize)
        .map(|(seq, record_type, id, op, version, at, data)| Change {
            cursor: encode_cursor(seq),
            record_type,
            id,
            op,
            version,
            at: at.and_utc(),
            data: crate::audit::stored_image(data),
        })
        .collect();
    Ok((changes, has_more))
}

/// Every change within the caller's scope, in commit order.
#[utoipa::path(
    tag = "sync", operation_id = "listChanges",
    params(FeedParams),
    responses(
        (status = 200, description = "A page of changes", body = ChangePage),
        (status = 400, description = "Bad cursor, limit, types or wait", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not follow the feed", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The cursor is older than the feed keeps: resync from an export", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            "out_of_range",
            Msg::RangeBetween
                .with("field", "limit")
                .with("min", 1)
                .with("max", 1000),
        ));
    }
    let wait = params.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECONDS {
        return Err(ApiError::invalid_field(
            "wait",
            "out_of_range",
            Msg::AtMostSeconds.with("field", "wait").with("max", 60),
        ));
    }
    let after = match &params.cursor {
        Some(cursor) => decode_cursor(cursor)?,
        None => 0,
    };
    let types = parse_types(params.types.as_deref())?;
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        let (types_now, caller_now) = (types.clone(), caller.clone());
        let (changes, has_more) = state
            .read(caller_now, Right::Sync, move |conn, access| {
                read(conn, access, after, &types_now, limit)
            })
            .await?;
        // Long-poll without holding a worker or a connection: sleep between looks.
        if !changes.is_empty() || Instant::now() >= deadline {
            let next_cursor = changes
                .last()
                .map_or_else(|| encode_cursor(after), |c| c.cursor.clone());
            return Ok(HttpResponse::Ok().json(ChangePage {
                changes,
                next_cursor,
                has_more,
            }));
        }
        actix_web::rt::time::sleep(POLL_INTERVAL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)).ok(), Some(42));
        assert!(decode_cursor("not-a-cursor").is_err());
    }
}
