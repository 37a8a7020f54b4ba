//! Database work for training classes and enrolments. A class is in scope
//! when its organiser is inside the caller's subtree; enrolments follow
//! their class.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::*;
use super::rules::{awareness_date_to_set, class_full, csv_cell};
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::search::{contains_pattern, fold};
use crate::api::{check_version, new_id, now, validate};
use crate::appointments::rules::check_period;
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access, Right};
use crate::candidates::model::{Candidate, CandidateRow};
use crate::db::organisation_ids_in;
use crate::db::schema::{candidates, enrolments as e, people, training_classes as t};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::people::model::{Person, PersonRow};
use crate::vocabularies::{CandidateStage, EnrolmentStatus, Gender, TrainingClassKind};

pub const SORT_FIELDS: &[&str] = &["id", "code", "starts_on", "created_at", "updated_at"];
pub const ENROLMENT_SORT_FIELDS: &[&str] = &["id", "created_at"];
const RECORD_TYPE: &str = "training_class";
const ENROLMENT_TYPE: &str = "enrolment";

type Query = t::BoxedQuery<'static, DbBackend>;

/// Live classes organised inside the caller's scope.
fn visible(access: &Access) -> Query {
    let mut query = t::table.filter(t::deleted_at.is_null()).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(t::organiser_organisation_id.eq_any(organisation_ids_in(lo, hi)));
    }
    query
}

/// One class in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<TrainingClassRow> {
    Ok(visible(access)
        .filter(t::id.eq(id.to_owned()))
        .first(conn)?)
}

fn filtered(
    conn: &mut DbConnection,
    access: &Access,
    filters: &TrainingClassFilters,
) -> ApiResult<Query> {
    let mut query = visible(access);
    if let Some(organisation_id) = &filters.organisation_id {
        let root =
            crate::organisations::store::find(conn, access, organisation_id).map_err(|_| {
                ApiError::invalid_field(
                    "organisation_id",
                    "reference_not_found",
                    Msg::NoSuchOrganisation,
                )
            })?;
        let (lo, hi) = subtree_range(&root.path);
        query = query.filter(t::organiser_organisation_id.eq_any(organisation_ids_in(lo, hi)));
    }
    if let Some(kind) = filters.kind {
        query = query.filter(t::kind.eq(kind.as_str()));
    }
    if let Some(year) = filters.year {
        let first = NaiveDate::from_ymd_opt(year, 1, 1);
        let next = NaiveDate::from_ymd_opt(year + 1, 1, 1);
        let (Some(first), Some(next)) = (first, next) else {
            return Err(ApiError::invalid_field(
                "year",
                "out_of_range",
                Msg::NoSuchYear,
            ));
        };
        query = query
            .filter(t::starts_on.ge(first))
            .filter(t::starts_on.lt(next));
    }
    if let Some(q) = &filters.q {
        query = query.filter(t::search_name.like(contains_pattern(q)).escape('\\'));
    }
    Ok(query)
}

/// A page of classes.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &TrainingClassFilters,
    page: &PageRequest,
) -> ApiResult<Page<TrainingClass>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "code" => keyset!(query, page, t::code, t::id, key::text),
        "starts_on" => keyset!(query, page, t::starts_on, t::id, key::date),
        "created_at" => keyset!(query, page, t::created_at, t::id, key::instant),
        "updated_at" => keyset!(query, page, t::updated_at, t::id, key::instant),
        _ => keyset!(query, page, t::id, t::id, key::text),
    };
    let rows: Vec<TrainingClassRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &TrainingClassRow| After {
        key: match page.sort_field {
            "code" => row.code.clone(),
            "starts_on" => row.starts_on.to_string(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, TrainingClass::from, total))
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&TrainingClassRow>,
    after: &TrainingClassRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = crate::organisations::store::path_of(conn, &after.organiser_organisation_id)?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &after.id,
            organisation_path: Some(&path),
            version: after.version,
            before: before.and_then(|r| image(&TrainingClass::from(r.clone()))),
            after: if deleted {
                None
            } else {
                image(&TrainingClass::from(after.clone()))
            },
        },
    )
}

fn validated(row: &TrainingClassRow, mut errors: Vec<FieldError>) -> ApiResult<()> {
    validate::check_code(&row.code, &mut errors);
    let title = row.title.trim();
    if title.is_empty() || title.chars().count() > 255 {
        errors.push(FieldError::new(
            "title",
            "invalid_title",
            Msg::LengthBetween
                .with("field", "title")
                .with("min", 1)
                .with("max", 255),
        ));
    }
    check_period(row.starts_on, row.ends_on, "ends_on", &mut errors);
    if row.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        errors.push(FieldError::new(
            "capacity",
            "out_of_range",
            Msg::RangeBetween
                .with("field", "capacity")
                .with("min", 1)
                .with("max", 100_000),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

fn check_code_free(conn: &mut DbConnection, code: &str, id: &str) -> ApiResult<()> {
    let taken: i64 = t::table
        .filter(t::code.eq(code))
        .filter(t::id.ne(id))
        .filter(t::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "duplicate_code",
            Msg::DuplicateClassCode,
        ));
    }
    Ok(())
}

/// Seats taken in a class: enrolments not withdrawn.
fn seats_taken(conn: &mut DbConnection, class_id: &str, except: Option<&str>) -> ApiResult<i64> {
    let mut query = e::table
        .filter(e::class_id.eq(class_id.to_owned()))
        .filter(e::deleted_at.is_null())
        .filter(e::status.ne(EnrolmentStatus::Withdrawn.as_str()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(e::id.ne(id.to_owned()));
    }
    Ok(query.count().get_result(conn)?)
}

fn full() -> ApiError {
    ApiError::conflict("class_full", Msg::ClassFull)
}

/// Creates a training class.
pub fn create(
    conn: &mut DbConnection,
    access: &Access,
    new: NewTrainingClass,
) -> ApiResult<TrainingClass> {
    let at = now();
    let mut row = TrainingClassRow {
        id: new_id(),
        code: new.code,
        search_name: fold(&new.title),
        title: new.title.trim().to_owned(),
        kind: new.kind.as_str().to_owned(),
        organiser_organisation_id: new.organiser_organisation_id,
        provider: new.provider,
        venue: new.venue,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        capacity: new.capacity,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    validated(&row, Vec::new())?;
    row.organiser_organisation_id = crate::organisations::store::find_reference(
        conn,
        access,
        &row.organiser_organisation_id,
        "organiser_organisation_id",
    )?
    .id;
    check_code_free(conn, &row.code, &row.id)?;
    diesel::insert_into(t::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, &row, false)?;
    Ok(TrainingClass::from(row))
}

/// Applies a merge patch to a class; capacity may not drop below the seats taken.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: TrainingClassPatch,
    expected: Option<i64>,
) -> ApiResult<TrainingClass> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut kind = current.kind();
    set_required(&mut next.code, patch.code, "code", &mut errors);
    set_required(&mut next.title, patch.title, "title", &mut errors);
    set_required(&mut kind, patch.kind, "kind", &mut errors);
    set_required(
        &mut next.organiser_organisation_id,
        patch.organiser_organisation_id,
        "organiser_organisation_id",
        &mut errors,
    );
    set_nullable(&mut next.provider, patch.provider);
    set_nullable(&mut next.venue, patch.venue);
    set_required(
        &mut next.starts_on,
        patch.starts_on,
        "starts_on",
        &mut errors,
    );
    set_nullable(&mut next.ends_on, patch.ends_on);
    set_nullable(&mut next.capacity, patch.capacity);
    next.kind = kind.as_str().to_owned();
    next.title = next.title.trim().to_owned();
    next.search_name = fold(&next.title);
    validated(&next, errors)?;
    if next == current {
        return Ok(TrainingClass::from(current));
    }
    if next.organiser_organisation_id != current.organiser_organisation_id {
        crate::organisations::store::find_reference(
            conn,
            access,
            &next.organiser_organisation_id,
            "organiser_organisation_id",
        )?;
    }
    if next.code != current.code {
        check_code_free(conn, &next.code, id)?;
    }
    if let (Some(capacity), true) = (next.capacity, next.capacity != current.capacity) {
        if seats_taken(conn, id, None)? > i64::from(capacity) {
            return Err(full());
        }
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(t::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next, false)?;
    Ok(TrainingClass::from(next))
}

/// Soft-deletes a class entered by mistake.
pub fn delete(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut gone = current.clone();
    gone.deleted_at = Some(now());
    gone.updated_at = now();
    gone.version = current.version + 1;
    diesel::update(t::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), &gone, true)
}

// ---- Enrolments ----

type EnrolmentQuery = e::BoxedQuery<'static, DbBackend>;

fn enrolments_of(class_id: &str, filters: &EnrolmentFilters) -> EnrolmentQuery {
    let mut query = e::table
        .filter(e::deleted_at.is_null())
        .filter(e::class_id.eq(class_id.to_owned()))
        .into_boxed();
    if let Some(status) = filters.status {
        query = query.filter(e::status.eq(status.as_str()));
    }
    query
}

fn enrolment_views(conn: &mut DbConnection, rows: Vec<EnrolmentRow>) -> ApiResult<Vec<Enrolment>> {
    let names =
        crate::people::store::by_ids(conn, rows.iter().map(|r| r.person_id.clone()).collect())?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let name = names
                .get(&row.person_id)
                .map(|p| p.full_name.clone())
                .unwrap_or_default();
            Enrolment::view(row, name)
        })
        .collect())
}

fn enrolment_view(conn: &mut DbConnection, row: EnrolmentRow) -> ApiResult<Enrolment> {
    enrolment_views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::Internal("no view".to_owned()))
}

/// One enrolment of a class in scope, or 404.
pub fn find_enrolment(
    conn: &mut DbConnection,
    access: &Access,
    class_id: &str,
    id: &str,
) -> ApiResult<EnrolmentRow> {
    find(conn, access, class_id)?;
    Ok(enrolments_of(class_id, &EnrolmentFilters::default())
        .filter(e::id.eq(id.to_owned()))
        .first(conn)?)
}

/// Reads one enrolment with the person's name.
pub fn read_enrolment(
    conn: &mut DbConnection,
    access: &Access,
    class_id: &str,
    id: &str,
) -> ApiResult<Enrolment> {
    let row = find_enrolment(conn, access, class_id, id)?;
    enrolment_view(conn, row)
}

/// A page of a class's enrolments.
pub fn list_enrolments(
    conn: &mut DbConnection,
    access: &Access,
    class_id: &str,
    filters: &EnrolmentFilters,
    page: &PageRequest,
) -> ApiResult<Page<Enrolment>> {
    find(conn, access, class_id)?;
    let query = enrolments_of(class_id, filters);
    let query = match page.sort_field {
        "created_at" => keyset!(query, page, e::created_at, e::id, key::instant),
        _ => keyset!(query, page, e::id, e::id, key::text),
    };
    let rows: Vec<EnrolmentRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(enrolments_of(class_id, filters).count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &EnrolmentRow| After {
        key: match page.sort_field {
            "created_at" => key::instant_text(&row.created_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    let rows = page.page(rows, key_of, |row| row, total);
    Ok(Page {
        items: enrolment_views(conn, rows.items)?,
        next_cursor: rows.next_cursor,
        total: rows.total,
    })
}

/// The attendance sheet of a class as CSV (UTF-8), in enrolment order; the
/// date of birth only for callers who may see personal data.
pub fn attendance_csv(
    conn: &mut DbConnection,
    access: &Access,
    class_id: &str,
    filters: &EnrolmentFilters,
) -> ApiResult<String> {
    let class = find(conn, access, class_id)?;
    let rows: Vec<EnrolmentRow> = enrolments_of(class_id, filters)
        .order((e::created_at.asc(), e::id.asc()))
        .load(conn)?;
    let people =
        crate::people::store::by_ids(conn, rows.iter().map(|r| r.person_id.clone()).collect())?;
    let personal = access.may(Right::ReadPersonal);
    let mut header = vec!["full_name", "gender"];
    if personal {
        header.push("date_of_birth");
    }
    header.extend(["status", "completed_on", "certificate_number"]);
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        let Some(person) = people.get(&row.person_id) else {
            continue;
        };
        let mut cells = vec![
            csv_cell(&person.full_name),
            csv_cell(Gender::from_db(&person.gender).as_str()),
        ];
        if personal {
            cells.push(csv_cell(&person.date_of_birth.to_string()));
        }
        cells.push(csv_cell(row.status().as_str()));
        cells.push(csv_cell(
            &row.completed_on.map(|d| d.to_string()).unwrap_or_default(),
        ));
        cells.push(csv_cell(row.certificate_number.as_deref().unwrap_or("")));
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    if personal {
        let path = crate::organisations::store::path_of(conn, &class.organiser_organisation_id)?;
        audit::record_read(conn, access, ENROLMENT_TYPE, class_id, Some(&path))?;
    }
    Ok(out)
}

fn journal_enrolment(
    conn: &mut DbConnection,
    access: &Access,
    class: &TrainingClassRow,
    action: &str,
    before: Option<&EnrolmentRow>,
    after: &EnrolmentRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = crate::organisations::store::path_of(conn, &class.organiser_organisation_id)?;
    let name: String = people::table
        .find(&after.person_id)
        .select(people::full_name)
        .first(conn)?;
    let image_of = |row: &EnrolmentRow| image(&Enrolment::view(row.clone(), name.clone()));
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: ENROLMENT_TYPE,
            record_id: &after.id,
            organisation_path: Some(&path),
            version: after.version,
            before: before.and_then(image_of),
            after: if deleted { None } else { image_of(after) },
        },
    )
}

fn validated_enrolment(row: &EnrolmentRow, mut errors: Vec<FieldError>) -> ApiResult<()> {
    if row.status() == EnrolmentStatus::Completed && row.completed_on.is_none() {
        errors.push(FieldError::new(
            "completed_on",
            "required",
            Msg::CompletedOnRequired,
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Serialises enrolment writes per class: an UPDATE takes the class row's
/// lock on PostgreSQL (SQLite already writes one at a time), so two
/// concurrent enrolments cannot both take the last seat.
fn lock_class(conn: &mut DbConnection, class_id: &str) -> ApiResult<()> {
    diesel::update(t::table.find(class_id))
        .set(t::id.eq(t::id))
        .execute(conn)?;
    Ok(())
}

/// Completing a Party-awareness class sets `awareness_class_completed_on`
/// on the person's open candidate records in the caller's scope (SPEC 5,
/// training classes; QĐ 24-QĐ/TW 2021, 3.3), each a journalled change.
fn record_awareness(
    conn: &mut DbConnection,
    access: &Access,
    class: &TrainingClassRow,
    row: &EnrolmentRow,
) -> ApiResult<()> {
    let (EnrolmentStatus::Completed, Some(completed_on), TrainingClassKind::PartyAwareness) =
        (row.status(), row.completed_on, class.kind())
    else {
        return Ok(());
    };
    let mut query = candidates::table
        .filter(candidates::deleted_at.is_null())
        .filter(candidates::person_id.eq(row.person_id.clone()))
        .filter(candidates::stage.ne_all(vec![
            CandidateStage::Admitted.as_str(),
            CandidateStage::Dropped.as_str(),
        ]))
        .into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(candidates::organisation_id.eq_any(organisation_ids_in(lo, hi)));
    }
    let open: Vec<CandidateRow> = query.load(conn)?;
    if open.is_empty() {
        return Ok(());
    }
    let person: PersonRow = people::table.find(&row.person_id).first(conn)?;
    for candidate in open {
        let Some(day) = awareness_date_to_set(candidate.awareness_class_completed_on, completed_on)
        else {
            continue;
        };
        let mut next = candidate.clone();
        next.awareness_class_completed_on = Some(day);
        next.version = candidate.version + 1;
        next.updated_at = now();
        diesel::update(candidates::table.find(&candidate.id))
            .set(&next)
            .execute(conn)?;
        let path = crate::organisations::store::path_of(conn, &next.organisation_id)?;
        let image_of = |r: &CandidateRow| {
            image(&Candidate::view(
                r.clone(),
                Person::view(person.clone(), true),
            ))
        };
        audit::record(
            conn,
            access,
            Write {
                action: "update",
                record_type: "candidate",
                record_id: &next.id,
                organisation_path: Some(&path),
                version: next.version,
                before: image_of(&candidate),
                after: image_of(&next),
            },
        )?;
    }
    Ok(())
}

/// Enrols a person in a class.
pub fn create_enrolment(
    conn: &mut DbConnection,
    access: &Access,
    class_id: &str,
    new: NewEnrolment,
) -> ApiResult<Enrolment> {
    let class = find(conn, access, class_id)?;
    let at = now();
    let mut row = EnrolmentRow {
        id: new_id(),
        class_id: class.id.clone(),
        person_id: new.person_id,
        status: new
            .status
            .unwrap_or(EnrolmentStatus::Enrolled)
            .as_str()
            .to_owned(),
        completed_on: new.completed_on,
        certificate_number: new.certificate_number,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    validated_enrolment(&row, Vec::new())?;
    row.person_id = crate::people::store::find(conn, access, &row.person_id)
        .map_err(|e| e.for_reference("person_id"))?
        .id;
    lock_class(conn, &class.id)?;
    let enrolled: i64 = e::table
        .filter(e::class_id.eq(&class.id))
        .filter(e::person_id.eq(&row.person_id))
        .filter(e::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    if enrolled > 0 {
        return Err(ApiError::conflict("already_enrolled", Msg::AlreadyEnrolled));
    }
    if row.status() != EnrolmentStatus::Withdrawn
        && class_full(class.capacity, seats_taken(conn, &class.id, None)?)
    {
        return Err(full());
    }
    diesel::insert_into(e::table).values(&row).execute(conn)?;
    journal_enrolment(conn, access, &class, "create", None, &row, false)?;
    record_awareness(conn, access, &class, &row)?;
    enrolment_view(conn, row)
}

/// Applies a merge patch to an enrolment.
pub fn update_enrolment(
    conn: &mut DbConnection,
    access: &Access,
    class_id: &str,
    id: &str,
    patch: EnrolmentPatch,
    expected: Option<i64>,
) -> ApiResult<Enrolment> {
    let class = find(conn, access, class_id)?;
    let current = find_enrolment(conn, access, class_id, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut status = current.status();
    set_required(&mut status, patch.status, "status", &mut errors);
    set_nullable(&mut next.completed_on, patch.completed_on);
    set_nullable(&mut next.certificate_number, patch.certificate_number);
    next.status = status.as_str().to_owned();
    validated_enrolment(&next, errors)?;
    if next == current {
        return enrolment_view(conn, current);
    }
    if current.status() == EnrolmentStatus::Withdrawn && status != EnrolmentStatus::Withdrawn {
        lock_class(conn, &class.id)?;
        if class_full(class.capacity, seats_taken(conn, &class.id, Some(id))?) {
            return Err(full());
        }
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(e::table.find(id)).set(&next).execute(conn)?;
    journal_enrolment(conn, access, &class, "update", Some(&current), &next, false)?;
    record_awareness(conn, access, &class, &next)?;
    enrolment_view(conn, next)
}

/// Soft-deletes an enrolment entered by mistake.
pub fn delete_enrolment(
    conn: &mut DbConnection,
    access: &Access,
    class_id: &str,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let class = find(conn, access, class_id)?;
    let current = find_enrolment(conn, access, class_id, id)?;
    check_version(expected, current.version)?;
    let mut gone = current.clone();
    gone.deleted_at = Some(now());
    gone.updated_at = now();
    gone.version = current.version + 1;
    diesel::update(e::table.find(id)).set(&gone).execute(conn)?;
    journal_enrolment(conn, access, &class, "delete", Some(&current), &gone, true)
}
