//! `GET /api/v1/exports/{type}`: every current record of a type in the
//! caller's scope, as NDJSON or CSV, streamed in constant memory from one
//! consistent snapshot, with the change-feed cursor of that snapshot in
//! `X-Change-Cursor` so a new provincial system exports once and then
//! follows the feed with no gap.
//!
//! The records are the latest journal image of each (the same JSON the feed
//! carries), so every sync type exports the same way.

use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::Deserialize;
use utoipa::IntoParams;

use super::feed::encode_cursor;
use crate::audit::SYNC_TYPES;
use crate::auth::{Access, Caller, Right};
use crate::db::{Db, DbConnection};
use crate::error::{ApiError, ApiResult, Problem};
use crate::i18n::Msg;
use crate::reports::routes::csv_cell;
use crate::state::AppState;

/// Records read per round trip; memory stays bounded by it and the channel.
const BATCH: i64 = 500;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `ndjson` (default) or `csv`.
    pub format: Option<String>,
}

#[derive(QueryableByName)]
struct Latest {
    #[diesel(sql_type = Text)]
    record_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    data: Option<String>,
}

#[derive(QueryableByName)]
struct MaxSeq {
    #[diesel(sql_type = Nullable<BigInt>)]
    seq: Option<i64>,
}

/// One batch of current records after `after` (by id), latest image each.
fn batch(
    conn: &mut DbConnection,
    access: &Access,
    record_type: &str,
    after: &str,
) -> ApiResult<Vec<Latest>> {
    // Inlined values are a known record type, an id from the journal (quotes
    // doubled) and scope paths built by the server.
    let after = after.replace('\'', "''");
    let scope = match access.scope.path_range() {
        Some((lo, hi)) => format!(
            "AND c.organisation_path >= '{}' AND c.organisation_path < '{}'",
            lo.replace('\'', "''"),
            hi.replace('\'', "''")
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT c.record_id AS record_id, c.data AS data FROM changes c \
         WHERE c.record_type = '{record_type}' AND c.record_id > '{after}' AND c.op = 'upsert' {scope} \
           AND c.seq = (SELECT MAX(x.seq) FROM changes x WHERE x.record_type = c.record_type AND x.record_id = c.record_id) \
         ORDER BY c.record_id LIMIT {BATCH}"
    );
    Ok(diesel::sql_query(sql).load(conn)?)
}

enum Format {
    Ndjson,
    Csv,
}

/// Runs the export on its own thread and connection, inside one read
/// transaction, sending the snapshot's cursor first and then the lines.
fn export(
    db: Db,
    caller: Caller,
    record_type: &'static str,
    format: Format,
    cursor_tx: tokio::sync::oneshot::Sender<ApiResult<String>>,
    lines: tokio::sync::mpsc::Sender<Bytes>,
) {
    let mut cursor_tx = Some(cursor_tx);
    let result = (|| -> ApiResult<()> {
        let mut conn = db.get()?;
        let conn: &mut DbConnection = &mut conn;
        conn.transaction(|conn| {
            if matches!(conn, DbConnection::Postgresql(_)) {
                diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    .execute(conn)?;
            }
            let access = Access::resolve(conn, &caller)?;
            access.require(Right::Sync)?;
            let seq = diesel::sql_query("SELECT MAX(seq) AS seq FROM changes")
                .get_result::<MaxSeq>(conn)?
                .seq
                .unwrap_or(0);
            if let Some(tx) = cursor_tx.take() {
                let _ = tx.send(Ok(encode_cursor(seq)));
            }
            let mut after = String::new();
            let mut columns: Option<Vec<String>> = None;
            loop {
                let rows = batch(conn, &access, record_type, &after)?;
                let Some(last) = rows.last() else { break };
                after = last.record_id.clone();
                let mut chunk = String::new();
                for row in rows {
                    let Some(data) = row.data else { continue };
                    match format {
                        Format::Ndjson => {
                            chunk.push_str(&data);
                            chunk.push('\n');
                        }
                        Format::Csv => {
                            let value: serde_json::Value =
                                serde_json::from_str(&data).unwrap_or_default();
                            let Some(object) = value.as_object() else {
                                continue;
                            };
                            let header = columns.get_or_insert_with(|| {
                                let names: Vec<String> = object.keys().cloned().collect();
                                chunk.push_str(
                                    &names
                                        .iter()
                                        .map(|n| csv_cell(n))
                                        .collect::<Vec<_>>()
                                        .join(","),
                                );
                                chunk.push('\n');
                                names
                            });
                            let cells: Vec<String> = header
                                .iter()
                                .map(|name| match object.get(name) {
                                    None | Some(serde_json::Value::Null) => String::new(),
                                    Some(serde_json::Value::String(s)) => csv_cell(s),
                                    Some(other) => csv_cell(&other.to_string()),
                                })
                                .collect();
                            chunk.push_str(&cells.join(","));
                            chunk.push('\n');
                        }
                    }
                }
                // A closed channel means the client went away: stop reading.
                if lines.blocking_send(Bytes::from(chunk)).is_err() {
                    break;
                }
            }
            Ok(())
        })
    })();
    if let Err(error) = result {
        match cursor_tx.take() {
            Some(tx) => {
                let _ = tx.send(Err(error));
            }
            None => tracing::warn!(error = %error, "export stopped"),
        }
    }
}

/// Every current record of a type in the caller's scope (NDJSON or CSV).
#[utoipa::path(
    tag = "sync", operation_id = "exportRecords",
    params(("type" = String, Path, description = "A record type of the change feed (`member`, `organisation`, …)"), ExportParams),
    responses(
        (status = 200, description = "One record per line (NDJSON), or CSV with a header row",
         headers(("X-Change-Cursor" = String, description = "Follow the change feed from here")),
         content((String = "application/x-ndjson", example = json!("{\"id\":\"0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61\",\"code\":\"DB-MA\"}\n")), (String = "text/csv", example = json!("id,code,name\r\n0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61,DB-MA,Đảng bộ huyện Mường Ảng\r\n")))),
        (status = 400, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not export", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown record type", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{type}")]
pub async fn export_records(
    state: web::Data<AppState>,
    caller: Caller,
    record_type: web::Path<String>,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let record_type: &'static str = SYNC_TYPES
        .iter()
        .find(|t| **t == record_type.as_str())
        .copied()
        .ok_or(ApiError::NotFound)?;
    let (format, content_type) = match params.format.as_deref() {
        None | Some("ndjson") => (Format::Ndjson, "application/x-ndjson"),
        Some("csv") => (Format::Csv, "text/csv; charset=utf-8"),
        Some(_) => {
            return Err(ApiError::invalid_field(
                "format",
                "invalid",
                Msg::OneOf
                    .with("field", "format")
                    .with("choices", "ndjson, csv"),
            ))
        }
    };
    let (cursor_tx, cursor_rx) = tokio::sync::oneshot::channel();
    let (lines_tx, lines_rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let db = state.db.clone();
    std::thread::spawn(move || export(db, caller, record_type, format, cursor_tx, lines_tx));
    let cursor = cursor_rx
        .await
        .map_err(|_| ApiError::Internal("export thread ended".to_owned()))??;
    let body = futures_util::stream::unfold(lines_rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|bytes| (Ok::<_, actix_web::Error>(bytes), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("X-Change-Cursor", cursor))
        .streaming(body))
}
