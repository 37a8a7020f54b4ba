//! Database work for admission quotas.

use diesel::prelude::*;

use super::*;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::set_required;
use crate::api::{check_version, new_id, now};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access};
use crate::db::organisation_ids_in;
use crate::db::schema::admission_quotas as q;
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Msg;
use crate::keyset;

pub const SORT_FIELDS: &[&str] = &["id", "year", "created_at"];
const RECORD_TYPE: &str = "admission_quota";

type Query = q::BoxedQuery<'static, DbBackend>;

fn within(lo: String, hi: String) -> Query {
    q::table
        .filter(q::deleted_at.is_null())
        .filter(q::organisation_id.eq_any(organisation_ids_in(lo, hi)))
        .into_boxed()
}

fn visible(access: &Access) -> Query {
    match access.scope.path_range() {
        Some((lo, hi)) => within(lo, hi),
        None => q::table.filter(q::deleted_at.is_null()).into_boxed(),
    }
}

pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<QuotaRow> {
    Ok(visible(access)
        .filter(q::id.eq(id.to_owned()))
        .first(conn)?)
}

fn filtered(conn: &mut DbConnection, access: &Access, filters: &QuotaFilters) -> ApiResult<Query> {
    let mut query = match &filters.organisation_id {
        Some(id) => {
            let root = crate::organisations::store::find(conn, access, id).map_err(|_| {
                ApiError::invalid_field(
                    "organisation_id",
                    "reference_not_found",
                    Msg::NoSuchOrganisation,
                )
            })?;
            let (lo, hi) = subtree_range(&root.path);
            within(lo, hi)
        }
        None => visible(access),
    };
    if let Some(year) = filters.year {
        query = query.filter(q::year.eq(year));
    }
    Ok(query)
}

pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &QuotaFilters,
    page: &PageRequest,
) -> ApiResult<Page<Quota>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "year" => keyset!(query, page, q::year, q::id, |k: &str| k
            .parse::<i32>()
            .map_err(|_| ApiError::invalid_field(
                "cursor",
                "invalid_cursor",
                Msg::InvalidCursor
            ))),
        "created_at" => keyset!(query, page, q::created_at, q::id, key::instant),
        _ => keyset!(query, page, q::id, q::id, key::text),
    };
    let rows: Vec<QuotaRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &QuotaRow| After {
        key: match page.sort_field {
            "year" => row.year.to_string(),
            "created_at" => key::instant_text(&row.created_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Quota::from, total))
}

fn check_target(target: i32) -> ApiResult<()> {
    if !(0..=100_000).contains(&target) {
        return Err(ApiError::invalid_field(
            "target",
            "out_of_range",
            Msg::RangeBetween
                .with("field", "target")
                .with("min", 0)
                .with("max", 100_000),
        ));
    }
    Ok(())
}

fn check_year(year: i32) -> ApiResult<()> {
    if !(1930..=2200).contains(&year) {
        return Err(ApiError::invalid_field(
            "year",
            "out_of_range",
            Msg::RangeBetween
                .with("field", "year")
                .with("min", 1930)
                .with("max", 2200),
        ));
    }
    Ok(())
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&QuotaRow>,
    after: Option<&QuotaRow>,
    row: &QuotaRow,
) -> ApiResult<()> {
    let path = crate::organisations::store::path_of(conn, &row.organisation_id)?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &row.id,
            organisation_path: Some(&path),
            version: row.version,
            before: before.and_then(|r| image(&Quota::from(r.clone()))),
            after: after.and_then(|r| image(&Quota::from(r.clone()))),
        },
    )
}

pub fn create(conn: &mut DbConnection, access: &Access, new: NewQuota) -> ApiResult<Quota> {
    check_year(new.year)?;
    check_target(new.target)?;
    let organisation = crate::organisations::store::find_reference(
        conn,
        access,
        &new.organisation_id,
        "organisation_id",
    )?;
    let taken: i64 = q::table
        .filter(q::organisation_id.eq(&organisation.id))
        .filter(q::year.eq(new.year))
        .filter(q::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::conflict("duplicate_quota", Msg::DuplicateQuota));
    }
    let at = now();
    let row = QuotaRow {
        id: new_id(),
        organisation_id: organisation.id,
        year: new.year,
        target: new.target,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    diesel::insert_into(q::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, Some(&row), &row)?;
    Ok(Quota::from(row))
}

pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: QuotaPatch,
    expected: Option<i64>,
) -> ApiResult<Quota> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    set_required(&mut next.target, patch.target, "target", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    check_target(next.target)?;
    if next == current {
        return Ok(Quota::from(current));
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(q::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), Some(&next), &next)?;
    Ok(Quota::from(next))
}

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
    gone.version = current.version + 1;
    diesel::update(q::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), None, &gone)
}
