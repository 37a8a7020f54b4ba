//! Database work for rotations. A rotation is in scope when its cadre is;
//! positions and organisations named in a body must be in scope too.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::*;
use super::rules::transition_allowed;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::{check_version, new_id, now};
use crate::appointments::rules::{check_period, periods_overlap};
use crate::audit::{self, image, Write};
use crate::auth::Access;
use crate::cadres::store::cadre_path;
use crate::db::schema::{cadres, organisations, rotations as r};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::vocabularies::{RotationKind, RotationPurpose, RotationStatus};

pub const SORT_FIELDS: &[&str] = &["id", "starts_on", "created_at", "updated_at"];
const RECORD_TYPE: &str = "rotation";

type Query = r::BoxedQuery<'static, DbBackend>;

/// Live rotations of live cadres inside the caller's scope.
fn visible(access: &Access) -> Query {
    let mut query = r::table.filter(r::deleted_at.is_null()).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(
            r::cadre_id.eq_any(
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

/// One rotation in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<RotationRow> {
    Ok(visible(access)
        .filter(r::id.eq(id.to_owned()))
        .first(conn)?)
}

fn filtered(access: &Access, filters: &RotationFilters) -> Query {
    let mut query = visible(access);
    if let Some(cadre_id) = &filters.cadre_id {
        query = query.filter(r::cadre_id.eq(cadre_id.clone()));
    }
    if let Some(kind) = filters.kind {
        query = query.filter(r::kind.eq(kind.as_str()));
    }
    if let Some(status) = filters.status {
        query = query.filter(r::status.eq(status.as_str()));
    }
    if let Some(day) = filters.starts_from {
        query = query.filter(r::starts_on.ge(day));
    }
    if let Some(day) = filters.starts_to {
        query = query.filter(r::starts_on.le(day));
    }
    query
}

/// A page of rotations.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &RotationFilters,
    page: &PageRequest,
) -> ApiResult<Page<Rotation>> {
    let query = filtered(access, filters);
    let query = match page.sort_field {
        "starts_on" => keyset!(query, page, r::starts_on, r::id, key::date),
        "created_at" => keyset!(query, page, r::created_at, r::id, key::instant),
        "updated_at" => keyset!(query, page, r::updated_at, r::id, key::instant),
        _ => keyset!(query, page, r::id, r::id, key::text),
    };
    let rows: Vec<RotationRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(access, filters).count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &RotationRow| After {
        key: match page.sort_field {
            "starts_on" => row.starts_on.to_string(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Rotation::from, total))
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&RotationRow>,
    after: &RotationRow,
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
            before: before.and_then(|row| image(&Rotation::from(row.clone()))),
            after: if deleted {
                None
            } else {
                image(&Rotation::from(after.clone()))
            },
        },
    )
}

/// Field checks: dates in order, and a completed rotation says when it ended.
fn validated(row: &RotationRow, mut errors: Vec<FieldError>) -> ApiResult<()> {
    check_period(
        row.starts_on,
        row.planned_ends_on,
        "planned_ends_on",
        &mut errors,
    );
    check_period(row.starts_on, row.ended_on, "ended_on", &mut errors);
    if row.status() == RotationStatus::Completed && row.ended_on.is_none() {
        errors.push(FieldError::new(
            "ended_on",
            "required",
            Msg::EndedOnRequired,
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// The referenced positions and organisation must be in the caller's scope.
fn check_refs(
    conn: &mut DbConnection,
    access: &Access,
    row: &RotationRow,
    before: Option<&RotationRow>,
) -> ApiResult<()> {
    let changed = |f: fn(&RotationRow) -> &Option<String>| before.is_none_or(|b| f(b) != f(row));
    if let (Some(id), true) = (&row.from_position_id, changed(|r| &r.from_position_id)) {
        crate::positions::store::find_reference(conn, access, id, "from_position_id")?;
    }
    if let (Some(id), true) = (&row.to_position_id, changed(|r| &r.to_position_id)) {
        crate::positions::store::find_reference(conn, access, id, "to_position_id")?;
    }
    if let (Some(id), true) = (&row.to_organisation_id, changed(|r| &r.to_organisation_id)) {
        crate::organisations::store::find_reference(conn, access, id, "to_organisation_id")?;
    }
    Ok(())
}

/// The period an active rotation occupies: to its end, else its planned end.
fn occupied(row: &RotationRow) -> (NaiveDate, Option<NaiveDate>) {
    (row.starts_on, row.ended_on.or(row.planned_ends_on))
}

/// A cadre is posted to one place at a time: an active rotation may not
/// overlap another active one of the same cadre (QĐ 65-QĐ/TW 2022, art. 6:
/// a rotated cadre holds the post they are rotated to for the term).
fn check_no_overlap(conn: &mut DbConnection, row: &RotationRow) -> ApiResult<()> {
    if row.status() != RotationStatus::Active {
        return Ok(());
    }
    // Take the cadre row's lock (PostgreSQL; SQLite writes one at a time) so
    // two concurrent writes cannot both pass the check below.
    diesel::update(cadres::table.find(&row.cadre_id))
        .set(cadres::id.eq(cadres::id))
        .execute(conn)?;
    let others: Vec<RotationRow> = r::table
        .filter(r::deleted_at.is_null())
        .filter(r::cadre_id.eq(&row.cadre_id))
        .filter(r::status.eq(RotationStatus::Active.as_str()))
        .filter(r::id.ne(&row.id))
        .load(conn)?;
    let (starts, ends) = occupied(row);
    if others.iter().any(|other| {
        let (s, e) = occupied(other);
        periods_overlap(starts, ends, s, e)
    }) {
        return Err(ApiError::RuleBroken {
            code: "overlapping_rotation",
            detail: Msg::OverlappingRotation.into(),
            errors: vec![FieldError::new(
                "starts_on",
                "overlapping_rotation",
                Msg::OverlapsAnotherRotation,
            )],
        });
    }
    Ok(())
}

/// Records a rotation, transfer or secondment.
pub fn create(conn: &mut DbConnection, access: &Access, new: NewRotation) -> ApiResult<Rotation> {
    let at = now();
    let mut row = RotationRow {
        id: new_id(),
        cadre_id: new.cadre_id,
        kind: new.kind.as_str().to_owned(),
        purpose: new.purpose.map(|p| p.as_str().to_owned()),
        from_position_id: new.from_position_id,
        to_position_id: new.to_position_id,
        to_organisation_id: new.to_organisation_id,
        decision_number: new.decision_number,
        decided_on: new.decided_on,
        starts_on: new.starts_on,
        planned_ends_on: new.planned_ends_on,
        ended_on: new.ended_on,
        status: new
            .status
            .unwrap_or(RotationStatus::Planned)
            .as_str()
            .to_owned(),
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    validated(&row, Vec::new())?;
    row.cadre_id =
        crate::cadres::store::find_reference(conn, access, &row.cadre_id, "cadre_id")?.id;
    check_refs(conn, access, &row, None)?;
    check_no_overlap(conn, &row)?;
    diesel::insert_into(r::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, &row, false)?;
    Ok(Rotation::from(row))
}

/// Applies a merge patch; status moves only along the allowed transitions.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: RotationPatch,
    expected: Option<i64>,
) -> ApiResult<Rotation> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut kind = RotationKind::from_db(&current.kind);
    let mut purpose = current.purpose.as_deref().map(RotationPurpose::from_db);
    let mut status = current.status();
    set_required(&mut kind, patch.kind, "kind", &mut errors);
    set_nullable(&mut purpose, patch.purpose);
    set_nullable(&mut next.from_position_id, patch.from_position_id);
    set_nullable(&mut next.to_position_id, patch.to_position_id);
    set_nullable(&mut next.to_organisation_id, patch.to_organisation_id);
    set_nullable(&mut next.decision_number, patch.decision_number);
    set_nullable(&mut next.decided_on, patch.decided_on);
    set_required(
        &mut next.starts_on,
        patch.starts_on,
        "starts_on",
        &mut errors,
    );
    set_nullable(&mut next.planned_ends_on, patch.planned_ends_on);
    set_nullable(&mut next.ended_on, patch.ended_on);
    set_required(&mut status, patch.status, "status", &mut errors);
    next.kind = kind.as_str().to_owned();
    next.purpose = purpose.map(|p| p.as_str().to_owned());
    next.status = status.as_str().to_owned();
    validated(&next, errors)?;
    if !transition_allowed(current.status(), status) {
        return Err(ApiError::RuleBroken {
            code: "invalid_status_transition",
            detail: Msg::RotationTransition
                .with("from", current.status())
                .with("to", status),
            errors: vec![FieldError::new(
                "status",
                "invalid_status_transition",
                Msg::RotationTransitionsAllowed,
            )],
        });
    }
    if next == current {
        return Ok(Rotation::from(current));
    }
    check_refs(conn, access, &next, Some(&current))?;
    check_no_overlap(conn, &next)?;
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(r::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next, false)?;
    Ok(Rotation::from(next))
}

/// Soft-deletes a rotation entered by mistake.
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
    diesel::update(r::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), &gone, true)
}
