//! `POST /api/v1/imports`: upserts records keyed by their human code, line
//! by line, with the same rules, scope and audit as single writes. Lines
//! are NDJSON objects `{"type", …fields}` (or CSV rows with `?type=`); a
//! reference may be an id or the other record's code with a `_code` suffix.
//! Each line runs in a savepoint: a broken line changes nothing, and with
//! `?atomic=true` any broken line rolls the whole import back (422).
//! Re-sending a file reports `unchanged` and bumps no version.
//!
//! Importable: the types with a human key — `locality`, `organisation` and
//! `training_class` by `code`, `person` by `national_id`, `member` by
//! `member_number`, `admission_quota` by organisation and `year`. The other types (events, enrolments, ratings, …) have
//! no such key; they are written through their own endpoints.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Access, Caller, Right};
use crate::db::schema::{
    admission_quotas, localities, members, organisations, people, training_classes,
};
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

/// The id and version of a live record the caller can see, found by its
/// human key.
type Found = Option<(String, i64)>;

fn organisation_by_code(conn: &mut DbConnection, access: &Access, code: &str) -> ApiResult<Found> {
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

fn locality_by_code(conn: &mut DbConnection, code: &str) -> ApiResult<Found> {
    Ok(localities::table
        .filter(localities::code.eq(code))
        .filter(localities::deleted_at.is_null())
        .select((localities::id, localities::version))
        .first(conn)
        .optional()?)
}

/// Keeps a found record only when the caller's scope shows it: `find` is
/// the record's own scoped lookup, whose 404 means "not for this caller".
fn if_visible<T>(
    conn: &mut DbConnection,
    found: Found,
    find: impl FnOnce(&mut DbConnection, &str) -> ApiResult<T>,
) -> ApiResult<Found> {
    let Some((id, version)) = found else {
        return Ok(None);
    };
    match find(conn, &id) {
        Ok(_) => Ok(Some((id, version))),
        Err(ApiError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A person is keyed by the citizen id (số định danh cá nhân).
fn person_by_national_id(
    conn: &mut DbConnection,
    access: &Access,
    national_id: &str,
) -> ApiResult<Found> {
    let found = people::table
        .filter(people::national_id.eq(national_id))
        .filter(people::deleted_at.is_null())
        .select((people::id, people::version))
        .first(conn)
        .optional()?;
    if_visible(conn, found, |c, id| {
        crate::people::store::find(c, access, id)
    })
}

/// A member is keyed by the member number (số lý lịch đảng viên).
fn member_by_number(conn: &mut DbConnection, access: &Access, number: &str) -> ApiResult<Found> {
    let found = members::table
        .filter(members::member_number.eq(number))
        .filter(members::deleted_at.is_null())
        .select((members::id, members::version))
        .first(conn)
        .optional()?;
    if_visible(conn, found, |c, id| {
        crate::members::store::find(c, access, id)
    })
}

fn class_by_code(conn: &mut DbConnection, access: &Access, code: &str) -> ApiResult<Found> {
    let found = training_classes::table
        .filter(training_classes::code.eq(code))
        .filter(training_classes::deleted_at.is_null())
        .select((training_classes::id, training_classes::version))
        .first(conn)
        .optional()?;
    if_visible(conn, found, |c, id| {
        crate::training_classes::store::find(c, access, id)
    })
}

/// Finds a live record's id and version by its human key.
type KeyLookup<'a> = dyn FnMut(&mut DbConnection, &str) -> ApiResult<Found> + 'a;

/// Replaces a `<name>_code` reference by the `<name>_id` of the record with
/// that human key.
fn resolve_code(
    conn: &mut DbConnection,
    object: &mut Map<String, Value>,
    code_field: &'static str,
    id_field: &'static str,
    lookup: &mut KeyLookup,
) -> ApiResult<()> {
    if let Some(value) = object.remove(code_field) {
        let id = match value {
            Value::Null => Value::Null,
            Value::String(code) => match lookup(conn, &code)? {
                Some((id, _)) => Value::String(id),
                None => return Err(ApiError::ReferenceNotFound { field: code_field }),
            },
            _ => {
                return Err(ApiError::invalid_field(
                    code_field,
                    "invalid",
                    Msg::IsACode.with("field", code_field),
                ))
            }
        };
        object.insert(id_field.to_owned(), id);
    }
    Ok(())
}

fn parse<T: serde::de::DeserializeOwned>(object: Map<String, Value>) -> ApiResult<T> {
    serde_json::from_value(Value::Object(object))
        .map_err(|e| crate::api::body_error(&e.to_string()))
}

/// Fields the server owns: dropped from imported lines, so a file produced
/// by `/exports/{type}` imports back as is.
const SERVER_OWNED: [&str; 12] = [
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
    "search_name",
    "rating_label",
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

/// The field that keys records of a type, when the type is importable.
pub fn key_field(record_type: &str) -> Option<&'static str> {
    match record_type {
        "locality" | "organisation" | "training_class" => Some("code"),
        "person" => Some("national_id"),
        "member" => Some("member_number"),
        "admission_quota" => Some("year"),
        _ => None,
    }
}

/// The key a line is reported under: its human key, or for a quota its
/// organisation and year (`MA-MD/2016`).
fn line_key(record_type: &str, object: &Map<String, Value>) -> Option<String> {
    let text = |field: &str| match object.get(field) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if record_type == "admission_quota" {
        let organisation = text("organisation_code").or_else(|| text("organisation_id"))?;
        return Some(format!("{organisation}/{}", text("year")?));
    }
    key_field(record_type).and_then(text)
}

/// Upserts one record; returns its id and what happened.
fn import_line(
    conn: &mut DbConnection,
    access: &Access,
    record_type: &str,
    mut object: Map<String, Value>,
) -> ApiResult<(String, &'static str)> {
    let Some(key_name) = key_field(record_type) else {
        return Err(ApiError::invalid_field(
            "type",
            "type_not_importable",
            Msg::TypeNotImportable.with("type", record_type),
        ));
    };
    for field in SERVER_OWNED {
        object.remove(field);
    }
    if record_type == "admission_quota" {
        return import_quota(conn, access, object);
    }
    let key = object
        .get(key_name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::invalid_field(
                key_name,
                "required",
                Msg::ImportKeyedBy
                    .with("type", record_type)
                    .with("key", key_name),
            )
        })?;
    match record_type {
        "organisation" => import_organisation(conn, access, &key, object),
        "locality" => import_locality(conn, access, &key, object),
        "person" => import_person(conn, access, &key, object),
        "member" => import_member(conn, access, &key, object),
        _ => import_training_class(conn, access, &key, object),
    }
}

fn import_organisation(
    conn: &mut DbConnection,
    access: &Access,
    code: &str,
    mut object: Map<String, Value>,
) -> ApiResult<(String, &'static str)> {
    resolve_code(
        conn,
        &mut object,
        "parent_code",
        "parent_id",
        &mut |c, code| organisation_by_code(c, access, code),
    )?;
    resolve_code(
        conn,
        &mut object,
        "locality_code",
        "locality_id",
        &mut |c, code| locality_by_code(c, code),
    )?;
    match organisation_by_code(conn, access, code)? {
        None => Ok((
            crate::organisations::store::create(conn, access, parse(object)?)?.id,
            "created",
        )),
        Some((id, version)) => {
            let after =
                crate::organisations::store::update(conn, access, &id, parse(object)?, None)?;
            Ok((id, outcome(version, after.version)))
        }
    }
}

fn import_locality(
    conn: &mut DbConnection,
    access: &Access,
    code: &str,
    mut object: Map<String, Value>,
) -> ApiResult<(String, &'static str)> {
    resolve_code(
        conn,
        &mut object,
        "parent_code",
        "parent_id",
        &mut |c, code| locality_by_code(c, code),
    )?;
    match locality_by_code(conn, code)? {
        None => Ok((
            crate::localities::store::create(conn, access, parse(object)?)?.id,
            "created",
        )),
        Some((id, version)) => {
            let after = crate::localities::store::update(conn, access, &id, parse(object)?, None)?;
            Ok((id, outcome(version, after.version)))
        }
    }
}

fn import_person(
    conn: &mut DbConnection,
    access: &Access,
    national_id: &str,
    mut object: Map<String, Value>,
) -> ApiResult<(String, &'static str)> {
    resolve_code(
        conn,
        &mut object,
        "residence_locality_code",
        "residence_locality_id",
        &mut |c, code| locality_by_code(c, code),
    )?;
    match person_by_national_id(conn, access, national_id)? {
        None => Ok((
            crate::people::store::create(conn, access, parse(object)?)?.id,
            "created",
        )),
        Some((id, version)) => {
            let after = crate::people::store::update(conn, access, &id, parse(object)?, None)?;
            Ok((id, outcome(version, after.version)))
        }
    }
}

fn import_training_class(
    conn: &mut DbConnection,
    access: &Access,
    code: &str,
    mut object: Map<String, Value>,
) -> ApiResult<(String, &'static str)> {
    resolve_code(
        conn,
        &mut object,
        "organiser_organisation_code",
        "organiser_organisation_id",
        &mut |c, code| organisation_by_code(c, access, code),
    )?;
    match class_by_code(conn, access, code)? {
        None => Ok((
            crate::training_classes::store::create(conn, access, parse(object)?)?.id,
            "created",
        )),
        Some((id, version)) => {
            let after =
                crate::training_classes::store::update(conn, access, &id, parse(object)?, None)?;
            Ok((id, outcome(version, after.version)))
        }
    }
}

/// An admission quota is keyed by its organisation and year (unique per
/// organisation and year, SPEC section 5).
fn import_quota(
    conn: &mut DbConnection,
    access: &Access,
    mut object: Map<String, Value>,
) -> ApiResult<(String, &'static str)> {
    resolve_code(
        conn,
        &mut object,
        "organisation_code",
        "organisation_id",
        &mut |c, code| organisation_by_code(c, access, code),
    )?;
    let organisation_id = object
        .get("organisation_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::invalid_field(
                "organisation_code",
                "required",
                Msg::QuotaKeyedByOrganisation,
            )
        })?;
    let year = object
        .get("year")
        .and_then(Value::as_i64)
        .and_then(|y| i32::try_from(y).ok())
        .ok_or_else(|| ApiError::invalid_field("year", "required", Msg::QuotaKeyedByYear))?;
    let found: Option<String> = admission_quotas::table
        .filter(admission_quotas::organisation_id.eq(&organisation_id))
        .filter(admission_quotas::year.eq(year))
        .filter(admission_quotas::deleted_at.is_null())
        .select(admission_quotas::id)
        .first(conn)
        .optional()?;
    match found {
        None => Ok((
            crate::admission_quotas::store::create(conn, access, parse(object)?)?.id,
            "created",
        )),
        Some(id) => {
            let version = crate::admission_quotas::store::find(conn, access, &id)?.version;
            object.remove("organisation_id");
            object.remove("year");
            let after =
                crate::admission_quotas::store::update(conn, access, &id, parse(object)?, None)?;
            Ok((id, outcome(version, after.version)))
        }
    }
}

/// A member's status, cell, dates and card change only through its dated
/// actions (recognition, cards, transfers, status changes: SPEC section 5),
/// so an import may create a member with them but not rewrite them.
const MEMBER_ACTION_FIELDS: [&str; 9] = [
    "person_id",
    "organisation_id",
    "status",
    "admitted_on",
    "official_on",
    "card_number",
    "card_issued_on",
    "left_on",
    "temporary_organisation_id",
];

fn import_member(
    conn: &mut DbConnection,
    access: &Access,
    number: &str,
    mut object: Map<String, Value>,
) -> ApiResult<(String, &'static str)> {
    resolve_code(
        conn,
        &mut object,
        "organisation_code",
        "organisation_id",
        &mut |c, code| organisation_by_code(c, access, code),
    )?;
    resolve_code(
        conn,
        &mut object,
        "person_code",
        "person_id",
        &mut |c, key| person_by_national_id(c, access, key),
    )?;
    resolve_code(
        conn,
        &mut object,
        "mentor_member_code",
        "mentor_member_id",
        &mut |c, key| member_by_number(c, access, key),
    )?;
    match member_by_number(conn, access, number)? {
        None => {
            choose_member_person(conn, access, &mut object)?;
            for field in ["left_on", "temporary_organisation_id"] {
                match object.remove(field) {
                    None | Some(Value::Null) => {}
                    Some(_) => return Err(action_required(vec![field])),
                }
            }
            let created = crate::members::store::register(conn, access, parse(object)?)?;
            Ok((created.id, "created"))
        }
        Some((id, version)) => {
            object.remove("person");
            let current = serde_json::to_value(crate::members::store::read(conn, access, &id)?)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let changed: Vec<&'static str> = MEMBER_ACTION_FIELDS
                .into_iter()
                .filter(|field| {
                    object
                        .remove(*field)
                        .is_some_and(|value| value != current[*field])
                })
                .collect();
            if !changed.is_empty() {
                return Err(action_required(changed));
            }
            let after = crate::members::store::update(conn, access, &id, parse(object)?, None)?;
            Ok((id, outcome(version, after.version)))
        }
    }
}

fn action_required(fields: Vec<&'static str>) -> ApiError {
    ApiError::RuleBroken {
        code: "action_required",
        detail: Msg::MemberActionRequired.into(),
        errors: fields
            .into_iter()
            .map(|field| FieldError::new(field, "action_required", Msg::UseMemberAction))
            .collect(),
    }
}

/// A new member's person: the `person_id` when it names a person the caller
/// sees, else the person with the inline person's citizen id, else the
/// inline person, created with the member (as `POST /members` does).
fn choose_member_person(
    conn: &mut DbConnection,
    access: &Access,
    object: &mut Map<String, Value>,
) -> ApiResult<()> {
    let given = object
        .get("person_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let known = match given {
        Some(id) => crate::people::store::find(conn, access, &id).is_ok(),
        None => false,
    };
    if known {
        object.remove("person");
        return Ok(());
    }
    if !object.contains_key("person") {
        // An unknown person_id is refused by the registration itself.
        return Ok(());
    }
    object.remove("person_id");
    if let Some(Value::Object(person)) = object.get_mut("person") {
        for field in SERVER_OWNED {
            person.remove(field);
        }
        let national_id = person
            .get("national_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(national_id) = national_id {
            if let Some((id, _)) = person_by_national_id(conn, access, &national_id)? {
                object.remove("person");
                object.insert("person_id".to_owned(), Value::String(id));
            }
        }
    }
    Ok(())
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

/// One line of an import: its number and the object it holds, or why it
/// cannot be read.
type Line = (usize, Result<Map<String, Value>, Text>);

/// How the lines of a body are written.
#[derive(Clone)]
enum Format {
    Ndjson,
    /// A header row, then values; empty cells are absent.
    Csv {
        record_type: String,
    },
}

/// Reads an import line by line from its spool file, so memory stays flat
/// whatever the size of the file.
struct LineSource {
    reader: BufReader<File>,
    format: Format,
    header: Option<Vec<String>>,
    number: usize,
    _spool: Spool,
}

impl LineSource {
    fn open(spool: Spool, format: Format) -> ApiResult<Self> {
        let file = File::open(&spool.path)
            .map_err(|e| ApiError::Internal(format!("cannot read the import spool: {e}")))?;
        Ok(Self {
            reader: BufReader::new(file),
            format,
            header: None,
            number: 0,
            _spool: spool,
        })
    }

    /// The next non-blank line, or `None` at the end of the file.
    fn next_line(&mut self) -> ApiResult<Option<Line>> {
        let mut bytes = Vec::new();
        loop {
            bytes.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut bytes)
                .map_err(|e| ApiError::Internal(format!("cannot read the import spool: {e}")))?;
            if read == 0 {
                return Ok(None);
            }
            let text = match std::str::from_utf8(&bytes) {
                Ok(text) => text.trim_end_matches(['\n', '\r']),
                Err(_) => {
                    self.number += 1;
                    return Ok(Some((self.number, Err(Msg::LineNotUtf8.into()))));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            match &self.format {
                Format::Ndjson => {
                    self.number += 1;
                    let object = match serde_json::from_str::<Value>(text) {
                        Ok(Value::Object(object)) => Ok(object),
                        Ok(_) => Err(Msg::LineNotObject.into()),
                        Err(e) => Err(Msg::InvalidJsonLine.with("reason", e)),
                    };
                    return Ok(Some((self.number, object)));
                }
                Format::Csv { record_type } => {
                    let Some(names) = &self.header else {
                        self.header = Some(split_csv(text));
                        continue;
                    };
                    self.number += 1;
                    let cells = split_csv(text);
                    if cells.len() != names.len() {
                        let message = Msg::CsvCellCount
                            .with("expected", names.len())
                            .with("found", cells.len());
                        return Ok(Some((self.number, Err(message))));
                    }
                    let mut object = Map::new();
                    object.insert("type".to_owned(), Value::String(record_type.clone()));
                    for (name, cell) in names.iter().zip(cells) {
                        if !cell.is_empty() {
                            object.insert(name.clone(), csv_value(name, cell));
                        }
                    }
                    return Ok(Some((self.number, Ok(object))));
                }
            }
        }
    }
}

/// The integer columns of the importable types: a CSV cell is text, and
/// these become JSON numbers when they read as one (a cell such as a code
/// `0012` stays text everywhere else).
const INTEGER_COLUMNS: [&str; 4] = ["general_education", "capacity", "year", "target"];

fn csv_value(name: &str, cell: String) -> Value {
    if INTEGER_COLUMNS.contains(&name) {
        if let Ok(n) = cell.trim().parse::<i64>() {
            return Value::from(n);
        }
    }
    Value::String(cell)
}

/// An import body written to a temporary file as it arrives; the file is
/// removed when the import is done.
struct Spool {
    path: PathBuf,
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Writes the request body to a spool file chunk by chunk, refusing bodies
/// over `limit` bytes with 413.
async fn spool(mut payload: web::Payload, limit: u64) -> ApiResult<Spool> {
    let spool = Spool {
        path: std::env::temp_dir().join(format!("party-registry-import-{}", uuid::Uuid::now_v7())),
    };
    let file = File::create(&spool.path)
        .map_err(|e| ApiError::Internal(format!("cannot spool the import: {e}")))?;
    let mut file = BufWriter::new(file);
    let mut size: u64 = 0;
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::bad_request("unreadable_body", Msg::UnreadableBody))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        file.write_all(&chunk)
            .map_err(|e| ApiError::Internal(format!("cannot spool the import: {e}")))?;
    }
    file.flush()
        .map_err(|e| ApiError::Internal(format!("cannot spool the import: {e}")))?;
    Ok(spool)
}

/// Imports up to `max` lines from `source`, appending what happened to
/// each; returns whether the source is exhausted. Runs of new members with
/// their people inline register together (`import_registrations`); every
/// other line runs on its own in a savepoint (`import_one`).
fn import_lines(
    conn: &mut DbConnection,
    access: &Access,
    source: &mut LineSource,
    max: usize,
    results: &mut Vec<LineResult>,
) -> ApiResult<bool> {
    let mut pending = VecDeque::with_capacity(max);
    let mut exhausted = false;
    while pending.len() < max {
        match source.next_line()? {
            Some(line) => pending.push_back(line),
            None => {
                exhausted = true;
                break;
            }
        }
    }
    // How many registrations the next run may take: all that follow while
    // they are new, but after a line already in the register only the next
    // one, doubling with each run that goes through whole. Re-sending a file
    // then checks each line's keys once instead of every later line's again
    // after each line that updates.
    let mut look_ahead = max;
    while let Some(line) = pending.pop_front() {
        let Some(keys) = registration_keys(&line) else {
            results.push(import_one(conn, access, line));
            continue;
        };
        // The registrations right after it, up to one that repeats a key:
        // that one depends on an earlier line of the run.
        let mut seen = keys.clone();
        let mut run = vec![(line, keys)];
        while run.len() < look_ahead {
            let Some(keys) = pending.front().and_then(registration_keys) else {
                break;
            };
            if !seen.is_disjoint(&keys) {
                break;
            }
            seen.extend(keys.iter().cloned());
            if let Some(next) = pending.pop_front() {
                run.push((next, keys));
            }
        }
        // Up to the first that names a member, card or person already in
        // the register: that one is an update, or a conflict, line by line,
        // and the lines after it are looked at again once it is done.
        let taken = keys_taken(conn, &seen)?;
        let cut = run
            .iter()
            .position(|(_, keys)| !keys.is_disjoint(&taken))
            .unwrap_or(run.len());
        look_ahead = if cut < run.len() {
            cut.max(1)
        } else {
            (look_ahead * 2).min(max)
        };
        let mut rest = run.split_off(cut).into_iter().map(|(line, _)| line);
        if !run.is_empty() {
            let lines = run.into_iter().map(|(line, _)| line).collect();
            results.extend(import_registrations(conn, access, lines)?);
        }
        if let Some(known) = rest.next() {
            results.push(import_one(conn, access, known));
        }
        for line in rest.rev() {
            pending.push_front(line);
        }
    }
    Ok(exhausted)
}

/// A line's unique keys, as `member:…`, `card:…` and `person:…`.
type Keys = HashSet<String>;

/// Fields that send a member line down the one-by-one path: an existing
/// person, a mentor or a transfer to look up, or actions to refuse.
const NOT_BULK_FIELDS: [&str; 7] = [
    "person_id",
    "person_code",
    "mentor_member_id",
    "mentor_member_code",
    "transferred_in",
    "left_on",
    "temporary_organisation_id",
];

/// The keys of a line that may register in bulk: a member with its number
/// and its person inline, and nothing to look up but its cell.
fn registration_keys(line: &Line) -> Option<Keys> {
    let (_, Ok(object)) = line else {
        return None;
    };
    let text = |object: &Map<String, Value>, field: &str| match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(()),
    };
    if object.get("type").and_then(Value::as_str) != Some("member")
        || NOT_BULK_FIELDS
            .iter()
            .any(|field| !matches!(object.get(*field), None | Some(Value::Null)))
    {
        return None;
    }
    let Some(Value::Object(person)) = object.get("person") else {
        return None;
    };
    let mut keys = Keys::new();
    keys.insert(format!("member:{}", text(object, "member_number").ok()??));
    if let Some(card) = text(object, "card_number").ok()? {
        keys.insert(format!("card:{card}"));
    }
    if let Some(national_id) = text(person, "national_id").ok()? {
        keys.insert(format!("person:{national_id}"));
    }
    Some(keys)
}

/// Which of `keys` the register already holds, live.
fn keys_taken(conn: &mut DbConnection, keys: &Keys) -> ApiResult<Keys> {
    let of = |kind: &str| -> Vec<String> {
        keys.iter()
            .filter_map(|key| key.strip_prefix(kind))
            .map(str::to_owned)
            .collect()
    };
    let mut taken = Keys::new();
    // The live values of one unique column among the keys of one kind.
    macro_rules! taken_of {
        ($kind:literal, $table:ident, $column:ident) => {
            let wanted = of($kind);
            if !wanted.is_empty() {
                let found: Vec<Option<String>> = $table::table
                    .filter($table::$column.eq_any(&wanted))
                    .filter($table::deleted_at.is_null())
                    .select($table::$column)
                    .load(conn)?;
                taken.extend(found.into_iter().flatten().map(|v| format!("{}{v}", $kind)));
            }
        };
    }
    taken_of!("member:", members, member_number);
    taken_of!("card:", members, card_number);
    taken_of!("person:", people, national_id);
    Ok(taken)
}

/// Registers a run of new members with their new people together
/// (`members::store::register_all`), each line answered as `import_one`
/// would answer it.
fn import_registrations(
    conn: &mut DbConnection,
    access: &Access,
    lines: Vec<Line>,
) -> ApiResult<Vec<LineResult>> {
    let mut results = Vec::with_capacity(lines.len());
    let mut sent = Vec::with_capacity(lines.len());
    let mut news = Vec::with_capacity(lines.len());
    let mut cells: HashMap<String, Found> = HashMap::new();
    for (number, line) in lines {
        let Ok(mut object) = line else {
            continue;
        };
        object.remove("type");
        let code = line_key("member", &object);
        let mut result = LineResult {
            line: number,
            record_type: Some("member".to_owned()),
            code,
            id: None,
            status: "error",
            errors: Vec::new(),
        };
        for field in SERVER_OWNED {
            object.remove(field);
        }
        if let Some(Value::Object(person)) = object.get_mut("person") {
            for field in SERVER_OWNED {
                person.remove(field);
            }
        }
        let parsed = resolve_code(
            conn,
            &mut object,
            "organisation_code",
            "organisation_id",
            &mut |c, code| match cells.get(code) {
                Some(found) => Ok(found.clone()),
                None => {
                    let found = organisation_by_code(c, access, code)?;
                    cells.insert(code.to_owned(), found.clone());
                    Ok(found)
                }
            },
        )
        .and_then(|()| parse::<crate::members::model::NewMember>(object));
        // `registration_keys` let through only lines `register_all` takes.
        match parsed {
            Ok(new) => {
                sent.push(results.len());
                news.push(new);
            }
            Err(error) => result.errors = errors_of(&error),
        }
        results.push(result);
    }
    // No savepoint around the run: in SQLite every statement inside one
    // keeps the pages it changed in the statement journal until the
    // savepoint ends, which made the run slower than line by line. The
    // checks above leave the unique indexes nothing to refuse; should one
    // still refuse, the error ends the batch and its transaction.
    let outcomes = crate::members::store::register_all(conn, access, news)?;
    for (index, outcome) in sent.into_iter().zip(outcomes) {
        match outcome {
            Ok(id) => {
                results[index].id = Some(id);
                results[index].status = "created";
            }
            Err(error) => results[index].errors = errors_of(&error),
        }
    }
    Ok(results)
}

/// Imports one line in a savepoint: a broken line leaves nothing behind.
fn import_one(conn: &mut DbConnection, access: &Access, (number, line): Line) -> LineResult {
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
            result.code = record_type.as_deref().and_then(|t| line_key(t, &object));
            match record_type {
                None => {
                    result
                        .errors
                        .push(FieldError::new("type", "required", Msg::LineTypeRequired))
                }
                Some(record_type) => {
                    match conn.transaction(|conn| import_line(conn, access, &record_type, object)) {
                        Ok((id, status)) => {
                            result.id = Some(id);
                            result.status = status;
                        }
                        Err(error) => result.errors = errors_of(&error),
                    }
                }
            }
        }
    }
    result
}

/// Lines per transaction of a non-atomic import.
const BATCH_LINES: usize = 1000;

/// Logs how far an import has got.
fn log_progress(results: &[LineResult], started: std::time::Instant) {
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        lines = results.len(),
        errors = results.iter().filter(|r| r.status == "error").count(),
        lines_per_second = (results.len() as f64 / seconds.max(1e-3)) as u64,
        "import progress"
    );
}

fn report_of(results: Vec<LineResult>) -> ImportReport {
    let count = |status: &str| results.iter().filter(|r| r.status == status).count();
    ImportReport {
        created: count("created"),
        updated: count("updated"),
        unchanged: count("unchanged"),
        errors: count("error"),
        results,
    }
}

/// An atomic import with broken lines: 422 with every reason, by line.
fn import_failed(report: &ImportReport) -> ApiError {
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
    ApiError::RuleBroken {
        code: "import_failed",
        detail: Msg::ImportFailed.with("count", report.errors),
        errors,
    }
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
        (status = 413, description = "Body larger than MAX_IMPORT_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither NDJSON nor CSV", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "atomic=true and a line is broken: nothing was written", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn import_records(
    state: web::Data<AppState>,
    limits: web::Data<ImportLimits>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = if content_type.starts_with("application/x-ndjson")
        || content_type.starts_with("application/json")
    {
        Format::Ndjson
    } else if content_type.starts_with("text/csv") {
        let record_type = params
            .record_type
            .clone()
            .ok_or_else(|| ApiError::invalid_field("type", "required", Msg::CsvTypeRequired))?;
        Format::Csv { record_type }
    } else {
        return Err(ApiError::UnsupportedMediaType);
    };
    let spooled = spool(payload, limits.max_bytes).await?;
    let mut source = LineSource::open(spooled, format)?;
    let started = std::time::Instant::now();
    let report = if params.atomic.unwrap_or(false) {
        // All or nothing: one transaction over the whole file.
        state
            .write_alone(caller, Right::Import, move |conn, access| {
                let mut results = Vec::new();
                while !import_lines(conn, access, &mut source, BATCH_LINES, &mut results)? {
                    log_progress(&results, started);
                }
                let report = report_of(results);
                if report.errors > 0 {
                    return Err(import_failed(&report));
                }
                Ok(report)
            })
            .await?
    } else {
        // A transaction per batch of lines, so a long import never holds
        // the write lock for long; re-sending after a failure is harmless.
        let (_, results) = state
            .write_batches(
                caller,
                Right::Import,
                (source, Vec::new()),
                move |conn, access, (source, results)| {
                    let done = import_lines(conn, access, source, BATCH_LINES, results)?;
                    if !done {
                        log_progress(results, started);
                    }
                    Ok(done)
                },
            )
            .await?;
        report_of(results)
    };
    // What the batches freed, mostly SQLite's through glibc, stays with
    // the allocators otherwise (README, Scaling: Memory). Off the async
    // worker: both allocators walk their heaps.
    if report.results.len() >= BATCH_LINES {
        let _ = web::block(crate::memory::release_freed).await;
    }
    tracing::info!(
        created = report.created,
        updated = report.updated,
        unchanged = report.unchanged,
        errors = report.errors,
        ms = started.elapsed().as_millis() as u64,
        "import done"
    );
    Ok(HttpResponse::Ok().json(report))
}

/// The largest import body accepted (`MAX_IMPORT_BYTES`); imports stream
/// to disk, so this bounds disk use, not memory.
#[derive(Debug, Clone, Copy)]
pub struct ImportLimits {
    pub max_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_columns_become_numbers_and_codes_stay_text() {
        assert_eq!(csv_value("capacity", "120".to_owned()), Value::from(120));
        assert_eq!(csv_value("year", " 2016 ".to_owned()), Value::from(2016));
        assert_eq!(csv_value("code", "0012".to_owned()), Value::from("0012"));
        // Not a number: left for the field's own check to refuse.
        assert_eq!(
            csv_value("capacity", "many".to_owned()),
            Value::from("many")
        );
    }

    #[test]
    fn csv_cells_keep_quoted_commas_and_quotes() {
        assert_eq!(
            split_csv(r#"a,"b, c","d ""e""""#),
            vec!["a", "b, c", "d \"e\""]
        );
    }
}
