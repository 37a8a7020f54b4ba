//! Database work for awards. An award is in scope when the organisation it
//! is given under (the organisation itself, or the member's home cell) is
//! inside the caller's subtree.

use diesel::prelude::*;

use super::model::*;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::{check_version, new_id, now};
use crate::assessments::store::{check_year, subject_organisation};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access};
use crate::db::organisation_ids_in;
use crate::db::schema::awards as w;
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Msg;
use crate::keyset;
use crate::vocabularies::AwardForm;

pub const SORT_FIELDS: &[&str] = &["id", "year", "created_at", "updated_at"];
const RECORD_TYPE: &str = "award";

type Query = w::BoxedQuery<'static, DbBackend>;

fn within(query: Query, lo: String, hi: String) -> Query {
    query.filter(w::organisation_id.eq_any(organisation_ids_in(lo, hi)))
}

/// Live awards given under an organisation inside the caller's scope.
fn visible(access: &Access) -> Query {
    let query = w::table.filter(w::deleted_at.is_null()).into_boxed();
    match access.scope.path_range() {
        Some((lo, hi)) => within(query, lo, hi),
        None => query,
    }
}

/// One award in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<AwardRow> {
    Ok(visible(access)
        .filter(w::id.eq(id.to_owned()))
        .first(conn)?)
}

fn filtered(conn: &mut DbConnection, access: &Access, filters: &AwardFilters) -> ApiResult<Query> {
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
        query = within(query, lo, hi);
    }
    if let Some(year) = filters.year {
        query = query.filter(w::year.eq(year));
    }
    if let Some(recipient_type) = filters.recipient_type {
        query = query.filter(w::recipient_type.eq(recipient_type.as_str()));
    }
    Ok(query)
}

fn year_key(k: &str) -> ApiResult<i32> {
    k.parse::<i32>()
        .map_err(|_| ApiError::invalid_field("cursor", "invalid_cursor", Msg::InvalidCursor))
}

/// A page of awards.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &AwardFilters,
    page: &PageRequest,
) -> ApiResult<Page<Award>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "year" => keyset!(query, page, w::year, w::id, year_key),
        "created_at" => keyset!(query, page, w::created_at, w::id, key::instant),
        "updated_at" => keyset!(query, page, w::updated_at, w::id, key::instant),
        _ => keyset!(query, page, w::id, w::id, key::text),
    };
    let rows: Vec<AwardRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &AwardRow| After {
        key: match page.sort_field {
            "year" => row.year.to_string(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Award::from, total))
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&AwardRow>,
    after: &AwardRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = crate::organisations::store::path_of(conn, &after.organisation_id)?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &after.id,
            organisation_path: Some(&path),
            version: after.version,
            before: before.and_then(|r| image(&Award::from(r.clone()))),
            after: if deleted {
                None
            } else {
                image(&Award::from(after.clone()))
            },
        },
    )
}

/// Records an award.
pub fn create(conn: &mut DbConnection, access: &Access, new: NewAward) -> ApiResult<Award> {
    check_year(new.year)?;
    let (recipient_id, organisation_id) = subject_organisation(
        conn,
        access,
        new.recipient_type,
        &new.recipient_id,
        "recipient_id",
    )?;
    let at = now();
    let row = AwardRow {
        id: new_id(),
        recipient_type: new.recipient_type.as_str().to_owned(),
        recipient_id,
        organisation_id,
        year: new.year,
        form: new.form.as_str().to_owned(),
        issuer: new.issuer,
        decision_number: new.decision_number,
        decided_on: new.decided_on,
        reason: new.reason,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    diesel::insert_into(w::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, &row, false)?;
    Ok(Award::from(row))
}

/// Applies a merge patch to an award.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: AwardPatch,
    expected: Option<i64>,
) -> ApiResult<Award> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut form = AwardForm::from_db(&current.form);
    set_required(&mut next.year, patch.year, "year", &mut errors);
    set_required(&mut form, patch.form, "form", &mut errors);
    set_nullable(&mut next.issuer, patch.issuer);
    set_nullable(&mut next.decision_number, patch.decision_number);
    set_nullable(&mut next.decided_on, patch.decided_on);
    set_nullable(&mut next.reason, patch.reason);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    check_year(next.year)?;
    next.form = form.as_str().to_owned();
    if next == current {
        return Ok(Award::from(current));
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(w::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next, false)?;
    Ok(Award::from(next))
}

/// Soft-deletes an award entered by mistake.
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
    diesel::update(w::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), &gone, true)
}
