//! `POST /api/v1/imports`: upserts records keyed by their human code, line
//! by line, with the same rules, scope and audit as single writes. Lines
//! are NDJSON objects `{"type", …fields}` (or CSV rows with `?type=`); a
//! reference may be an id or the other record's code with a `_code` suffix.
//! Each line runs in a savepoint: a broken line changes nothing, and with
//! `?atomic=true` any broken line rolls the whole import back (422).
//! Re-sending a file reports `unchanged` and bumps no version.
//!
//! Importable today: `locality` (by `code`) and `organisation` (by `code`).

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Access, Caller, Right};
use crate::db::schema::{localities, organisations};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::i18n::{Msg, Text};
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// All lines or none: any broken line rolls everything back (422).
    pub atomic: Option<bool>,
    /// The record type of every row of a CSV body.
    #[param(example = "organisation")]
    #[serde(rename = "type")]
    pub record_type: Option<String>,
}

/// What happened to one line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineResult {
    pub line: usize,
    #[serde(rename = "type")]
    pub record_type: Option<String>,
    /// The human code the line is keyed by.
    pub code: Option<String>,
    pub id: Option<String>,
    /// `created`, `updated`, `unchanged` or `error`.
    pub status: &'static str,
    pub errors: Vec<FieldError>,
}

/// The outcome of an import.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"created": 1, "updated": 0, "unchanged": 1, "errors": 0,
    "results": [{"line": 1, "type": "organisation", "code": "DB-MA", "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "status": "unchanged", "errors": []}]}))]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: usize,
    pub results: Vec<LineResult>,
}

/// The id of a live organisation with this code that the caller can see.
fn organisation_by_code(
    conn: &mut DbConnection,
    access: &Access,
    code: &str,
) -> ApiResult<Option<(String, i64)>> {
    let found: Option<(String, String, i64)> = organisations::table
        .filter(organisations::code.eq(code))
        .filter(organisations::deleted_at.is_null())
        .select((
            organisations::id,
            organisations::path,
            organisations::version,
        ))
        .first(conn)
        .optional()?;
    Ok(found
        .filter(|(_, path, _)| access.scope.covers(path))
        .map(|(id, _, version)| (id, version)))
}

fn locality_by_code(conn: &mut DbConnection, code: &str) -> ApiResult<Option<(String, i64)>> {
    Ok(localities::table
        .filter(localities::code.eq(code))
        .filter(localities::deleted_at.is_null())
        .select((localities::id, localities::version))
        .first(conn)
        .optional()?)
}

/// Finds a live record's id and version by its code.
type CodeLookup<'a> = dyn FnMut(&mut DbConnection, &str) -> ApiResult<Option<(String, i64)>> + 'a;

/// Replaces `<field>_code` members by `<field>_id`, looked up by code.
fn resolve_code(
    conn: &mut DbConnection,
    object: &mut Map<String, Value>,
    field: &'static str,
    lookup: &mut CodeLookup,
) -> ApiResult<()> {
    let key = format!("{field}_code");
    if let Some(value) = object.remove(&key) {
        let id = match value {
            Value::Null => Value::Null,
            Value::String(code) => match lookup(conn, &code)? {
                Some((id, _)) => Value::String(id),
                None => {
                    return Err(ApiError::ReferenceNotFound {
                        field: if field == "parent" {
                            "parent_code"
                        } else {
                            "locality_code"
                        },
                    })
                }
            },
            _ => {
                return Err(ApiError::invalid_field(
                    &key,
                    "invalid",
                    Msg::IsACode.with("field", &key),
                ))
            }
        };
        object.insert(format!("{field}_id"), id);
    }
    Ok(())
}

fn parse<T: serde::de::DeserializeOwned>(object: Map<String, Value>) -> ApiResult<T> {
    serde_json::from_value(Value::Object(object))
        .map_err(|e| crate::api::body_error(&e.to_string()))
}

/// Fields the server owns: dropped from imported lines, so a file produced
/// by `/exports/{type}` imports back as is.
const SERVER_OWNED: [&str; 10] = [
    "id",
    "version",
    "created_at",
    "updated_at",
    "merged_into_id",
    "member_count",
    "official_member_count",
    "below_minimum",
    "should_become_committee",
    "current_overseers",
];

/// What an upsert of an existing record did: a write that changed nothing
/// keeps the version.
fn outcome(before: i64, after: i64) -> &'static str {
    if before == after {
        "unchanged"
    } else {
        "updated"
    }
}

/// Upserts one record; returns its id and what happened.
fn import_line(
    conn: &mut DbConnection,
    access: &Access,
    record_type: &str,
    mut object: Map<String, Value>,
) -> ApiResult<(String, &'static str)> {
    for field in SERVER_OWNED {
        object.remove(field);
    }
    let code = object
        .get("code")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::invalid_field("code", "required", Msg::ImportKeyedByCode))?;
    match record_type {
        "organisation" => {
            resolve_code(conn, &mut object, "parent", &mut |c, code| {
                organisation_by_code(c, access, code)
            })?;
            resolve_code(conn, &mut object, "locality", &mut |c, code| {
                locality_by_code(c, code)
            })?;
            match organisation_by_code(conn, access, &code)? {
                None => Ok((
                    crate::organisations::store::create(conn, access, parse(object)?)?.id,
                    "created",
                )),
                Some((id, version)) => {
                    let after = crate::organisations::store::update(
                        conn,
                        access,
                        &id,
                        parse(object)?,
                        None,
                    )?;
                    Ok((id, outcome(version, after.version)))
                }
            }
        }
        "locality" => {
            resolve_code(conn, &mut object, "parent", &mut |c, code| {
                locality_by_code(c, code)
            })?;
            match locality_by_code(conn, &code)? {
                None => Ok((
                    crate::localities::store::create(conn, access, parse(object)?)?.id,
                    "created",
                )),
                Some((id, version)) => {
                    let after =
                        crate::localities::store::update(conn, access, &id, parse(object)?, None)?;
                    Ok((id, outcome(version, after.version)))
                }
            }
        }
        other => Err(ApiError::invalid_field(
            "type",
            "type_not_importable",
            Msg::TypeNotImportable.with("type", other),
        )),
    }
}

fn errors_of(error: &ApiError) -> Vec<FieldError> {
    let problem = error.to_problem();
    if problem.errors.is_empty() {
        vec![FieldError {
            field: None,
            code: problem.code,
            message: error.detail(),
        }]
    } else {
        problem.errors
    }
}

/// CSV rows to JSON objects: a header row, then values; empty cells are absent.
fn csv_objects(text: &str, record_type: &str) -> Vec<Result<Map<String, Value>, Text>> {
    let mut reader = text.lines();
    let Some(header) = reader.next() else {
        return Vec::new();
    };
    let names: Vec<String> = split_csv(header);
    reader
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cells = split_csv(line);
            if cells.len() != names.len() {
                return Err(Msg::CsvCellCount
                    .with("expected", names.len())
                    .with("found", cells.len()));
            }
            let mut object = Map::new();
            object.insert("type".to_owned(), Value::String(record_type.to_owned()));
            for (name, cell) in names.iter().zip(cells) {
                if !cell.is_empty() {
                    object.insert(name.clone(), Value::String(cell));
                }
            }
            Ok(object)
        })
        .collect()
}

/// Splits one CSV line (RFC 4180 quoting, no line breaks inside cells).
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// Upserts records keyed by their human code, reporting per line.
#[utoipa::path(
    tag = "sync", operation_id = "importRecords",
    params(ImportParams),
    request_body(content = String, description = "NDJSON lines `{\"type\", …fields}`, or CSV with `?type=`",
        content_type = "application/x-ndjson",
        example = json!("{\"type\":\"organisation\",\"code\":\"DB-MA\",\"name\":\"Đảng bộ huyện Mường Ảng\",\"kind\":\"district_committee\",\"parent_code\":\"DB\"}\n")),
    responses(
        (status = 200, description = "What happened to each line", body = ImportReport),
        (status = 400, description = "Unreadable body or missing `type` for CSV", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not import", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither NDJSON nor CSV", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "atomic=true and a line is broken: nothing was written", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/imports")]
pub async fn import_records(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ImportParams>,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::bad_request("invalid_encoding", Msg::InvalidEncoding))?;
    let lines: Vec<Result<Map<String, Value>, Text>> = if content_type
        .starts_with("application/x-ndjson")
        || content_type.starts_with("application/json")
    {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match serde_json::from_str::<Value>(l) {
                Ok(Value::Object(object)) => Ok(object),
                Ok(_) => Err(Msg::LineNotObject.into()),
                Err(e) => Err(Msg::InvalidJsonLine.with("reason", e)),
            })
            .collect()
    } else if content_type.starts_with("text/csv") {
        let record_type = params
            .record_type
            .clone()
            .ok_or_else(|| ApiError::invalid_field("type", "required", Msg::CsvTypeRequired))?;
        csv_objects(&text, &record_type)
    } else {
        return Err(ApiError::UnsupportedMediaType);
    };
    let atomic = params.atomic.unwrap_or(false);
    let report = state
        .write(caller, Right::Import, move |conn, access| {
            let mut results = Vec::with_capacity(lines.len());
            for (index, line) in lines.into_iter().enumerate() {
                let number = index + 1;
                let mut result = LineResult {
                    line: number,
                    record_type: None,
                    code: None,
                    id: None,
                    status: "error",
                    errors: Vec::new(),
                };
                match line {
                    Err(message) => result.errors.push(FieldError {
                        field: None,
                        code: "malformed_line".to_owned(),
                        message,
                    }),
                    Ok(mut object) => {
                        let record_type = object
                            .remove("type")
                            .and_then(|t| t.as_str().map(str::to_owned));
                        result.record_type = record_type.clone();
                        result.code = object
                            .get("code")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                        match record_type {
                            None => result.errors.push(FieldError::new(
                                "type",
                                "required",
                                Msg::LineTypeRequired,
                            )),
                            // A savepoint per line: a broken line leaves nothing behind.
                            Some(record_type) => match conn
                                .transaction(|conn| import_line(conn, access, &record_type, object))
                            {
                                Ok((id, status)) => {
                                    result.id = Some(id);
                                    result.status = status;
                                }
                                Err(error) => result.errors = errors_of(&error),
                            },
                        }
                    }
                }
                if result.status == "error" {
                    tracing::info!(line = number, "import line refused");
                }
                results.push(result);
            }
            let count = |status: &str| results.iter().filter(|r| r.status == status).count();
            let report = ImportReport {
                created: count("created"),
                updated: count("updated"),
                unchanged: count("unchanged"),
                errors: count("error"),
                results,
            };
            if atomic && report.errors > 0 {
                let errors = report
                    .results
                    .iter()
                    .filter(|r| r.status == "error")
                    .flat_map(|r| {
                        r.errors.iter().map(move |e| FieldError {
                            field: Some(format!(
                                "line {}: {}",
                                r.line,
                                e.field.clone().unwrap_or_default()
                            )),
                            code: e.code.clone(),
                            message: e.message.clone(),
                        })
                    })
                    .collect();
                return Err(ApiError::RuleBroken {
                    code: "import_failed",
                    detail: Msg::ImportFailed.with("count", report.errors),
                    errors,
                });
            }
            tracing::info!(
                created = report.created,
                updated = report.updated,
                unchanged = report.unchanged,
                errors = report.errors,
                "import done"
            );
            Ok(report)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_keep_quoted_commas_and_quotes() {
        assert_eq!(
            split_csv(r#"a,"b, c","d ""e""""#),
            vec!["a", "b, c", "d \"e\""]
        );
    }
}
