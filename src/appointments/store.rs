//! Database work for appointments. An appointment is in scope when its
//! cadre is; the position named in a body must be in scope too.

use diesel::prelude::*;

use super::model::*;
use super::rules::{check_period, same_position_overlaps};
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::{check_version, new_id, now};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access};
use crate::cadres::store::cadre_path;
use crate::db::schema::{appointments as a, cadres, organisations, positions};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::vocabularies::AppointmentKind;

pub const SORT_FIELDS: &[&str] = &["id", "starts_on", "created_at", "updated_at"];
const RECORD_TYPE: &str = "appointment";

type Query = a::BoxedQuery<'static, DbBackend>;

/// Live appointments of live cadres inside the caller's scope.
fn visible(access: &Access) -> Query {
    let mut query = a::table.filter(a::deleted_at.is_null()).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(
            a::cadre_id.eq_any(
                cadres::table
                    .filter(cadres::deleted_at.is_null())
                    .filter(
                        cadres::organisation_id.eq_any(
                            organisations::table
                                .filter(organisations::path.ge(lo))
                                .filter(organisations::path.lt(hi))
                                .select(organisations::id.nullable()),
                        ),
                    )
                    .select(cadres::id),
            ),
        );
    }
    query
}

/// One appointment in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<AppointmentRow> {
    Ok(visible(access)
        .filter(a::id.eq(id.to_owned()))
        .first(conn)?)
}

fn filtered(
    conn: &mut DbConnection,
    access: &Access,
    filters: &AppointmentFilters,
) -> ApiResult<Query> {
    let mut query = visible(access);
    if let Some(cadre_id) = &filters.cadre_id {
        query = query.filter(a::cadre_id.eq(cadre_id.clone()));
    }
    if let Some(position_id) = &filters.position_id {
        query = query.filter(a::position_id.eq(position_id.clone()));
    }
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
        query = query.filter(
            a::position_id.eq_any(
                positions::table
                    .filter(
                        positions::organisation_id.eq_any(
                            organisations::table
                                .filter(organisations::path.ge(lo))
                                .filter(organisations::path.lt(hi))
                                .select(organisations::id.nullable()),
                        ),
                    )
                    .select(positions::id),
            ),
        );
    }
    if let Some(day) = filters.starts_from {
        query = query.filter(a::starts_on.ge(day));
    }
    if let Some(day) = filters.starts_to {
        query = query.filter(a::starts_on.le(day));
    }
    Ok(query)
}

/// A page of appointments.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &AppointmentFilters,
    page: &PageRequest,
) -> ApiResult<Page<Appointment>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "starts_on" => keyset!(query, page, a::starts_on, a::id, key::date),
        "created_at" => keyset!(query, page, a::created_at, a::id, key::instant),
        "updated_at" => keyset!(query, page, a::updated_at, a::id, key::instant),
        _ => keyset!(query, page, a::id, a::id, key::text),
    };
    let rows: Vec<AppointmentRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &AppointmentRow| After {
        key: match page.sort_field {
            "starts_on" => row.starts_on.to_string(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Appointment::from, total))
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&AppointmentRow>,
    after: &AppointmentRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = cadre_path(conn, &after.cadre_id)?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &after.id,
            organisation_path: path.as_deref(),
            version: after.version,
            before: before.and_then(|r| image(&Appointment::from(r.clone()))),
            after: if deleted {
                None
            } else {
                image(&Appointment::from(after.clone()))
            },
        },
    )
}

/// 422 `overlapping_appointment` when the cadre already holds the position
/// in a period sharing a day with this one.
fn check_no_overlap(conn: &mut DbConnection, row: &AppointmentRow) -> ApiResult<()> {
    // Take the cadre row's lock (PostgreSQL; SQLite writes one at a time) so
    // two concurrent writes cannot both pass the check below.
    diesel::update(cadres::table.find(&row.cadre_id))
        .set(cadres::id.eq(cadres::id))
        .execute(conn)?;
    let others: Vec<(chrono::NaiveDate, Option<chrono::NaiveDate>)> = a::table
        .filter(a::deleted_at.is_null())
        .filter(a::cadre_id.eq(&row.cadre_id))
        .filter(a::position_id.eq(&row.position_id))
        .filter(a::id.ne(&row.id))
        .select((a::starts_on, a::ends_on))
        .load(conn)?;
    if same_position_overlaps(row.starts_on, row.ends_on, &others) {
        return Err(ApiError::RuleBroken {
            code: "overlapping_appointment",
            detail: Msg::OverlappingAppointment.into(),
            errors: vec![FieldError::new(
                "starts_on",
                "overlapping_appointment",
                Msg::OverlapsAnotherTerm,
            )],
        });
    }
    Ok(())
}

fn validated(row: &AppointmentRow, mut errors: Vec<FieldError>) -> ApiResult<()> {
    check_period(row.starts_on, row.ends_on, "ends_on", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Appoints a cadre to a position.
pub fn create(
    conn: &mut DbConnection,
    access: &Access,
    new: NewAppointment,
) -> ApiResult<Appointment> {
    let at = now();
    let mut row = AppointmentRow {
        id: new_id(),
        cadre_id: new.cadre_id,
        position_id: new.position_id,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        kind: new.kind.map(|k| k.as_str().to_owned()),
        decision_number: new.decision_number,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    validated(&row, Vec::new())?;
    row.cadre_id =
        crate::cadres::store::find_reference(conn, access, &row.cadre_id, "cadre_id")?.id;
    row.position_id =
        crate::positions::store::find_reference(conn, access, &row.position_id, "position_id")?.id;
    check_no_overlap(conn, &row)?;
    diesel::insert_into(a::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, &row, false)?;
    Ok(Appointment::from(row))
}

/// Applies a merge patch to an appointment.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: AppointmentPatch,
    expected: Option<i64>,
) -> ApiResult<Appointment> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut kind = current.kind.as_deref().map(AppointmentKind::from_db);
    set_required(
        &mut next.position_id,
        patch.position_id,
        "position_id",
        &mut errors,
    );
    set_required(
        &mut next.starts_on,
        patch.starts_on,
        "starts_on",
        &mut errors,
    );
    set_nullable(&mut next.ends_on, patch.ends_on);
    set_nullable(&mut kind, patch.kind);
    set_nullable(&mut next.decision_number, patch.decision_number);
    next.kind = kind.map(|k| k.as_str().to_owned());
    validated(&next, errors)?;
    if next == current {
        return Ok(Appointment::from(current));
    }
    if next.position_id != current.position_id {
        crate::positions::store::find_reference(conn, access, &next.position_id, "position_id")?;
    }
    check_no_overlap(conn, &next)?;
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(a::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next, false)?;
    Ok(Appointment::from(next))
}

/// Soft-deletes an appointment entered by mistake.
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
    diesel::update(a::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), &gone, true)
}
