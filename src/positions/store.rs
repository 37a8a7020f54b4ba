//! Database work for positions. A position is in scope when its organisation
//! is inside the caller's subtree; one with no organisation is visible only
//! to unscoped callers.

use diesel::prelude::*;

use super::model::*;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::search::{contains_pattern, fold};
use crate::api::{check_version, new_id, now};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access};
use crate::cadres::store::organisation_path;
use crate::db::schema::{organisations, positions as p};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::vocabularies::PositionBody;

pub const SORT_FIELDS: &[&str] = &["id", "title", "created_at", "updated_at"];
const RECORD_TYPE: &str = "position";

type Query = p::BoxedQuery<'static, DbBackend>;

/// Live positions whose organisation is inside the caller's scope.
pub fn visible(access: &Access) -> Query {
    let mut query = p::table.filter(p::deleted_at.is_null()).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(
            p::organisation_id.eq_any(
                organisations::table
                    .filter(organisations::path.ge(lo))
                    .filter(organisations::path.lt(hi))
                    .select(organisations::id.nullable()),
            ),
        );
    }
    query
}

/// One position in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<PositionRow> {
    Ok(visible(access)
        .filter(p::id.eq(id.to_owned()))
        .first(conn)?)
}

/// A position named in a body, in scope, or 404 naming the field.
pub fn find_reference(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    field: &'static str,
) -> ApiResult<PositionRow> {
    find(conn, access, id).map_err(|e| e.for_reference(field))
}

fn filtered(
    conn: &mut DbConnection,
    access: &Access,
    filters: &PositionFilters,
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
        query = query.filter(
            p::organisation_id.eq_any(
                organisations::table
                    .filter(organisations::path.ge(lo))
                    .filter(organisations::path.lt(hi))
                    .select(organisations::id.nullable()),
            ),
        );
    }
    if let Some(body) = filters.body {
        query = query.filter(p::body.eq(body.as_str()));
    }
    if let Some(q) = &filters.q {
        query = query.filter(p::search_name.like(contains_pattern(q)).escape('\\'));
    }
    Ok(query)
}

/// A page of positions.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &PositionFilters,
    page: &PageRequest,
) -> ApiResult<Page<Position>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "title" => keyset!(query, page, p::title, p::id, key::text),
        "created_at" => keyset!(query, page, p::created_at, p::id, key::instant),
        "updated_at" => keyset!(query, page, p::updated_at, p::id, key::instant),
        _ => keyset!(query, page, p::id, p::id, key::text),
    };
    let rows: Vec<PositionRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &PositionRow| After {
        key: match page.sort_field {
            "title" => row.title.clone(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Position::from, total))
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&PositionRow>,
    after: &PositionRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = organisation_path(conn, after.organisation_id.as_deref())?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &after.id,
            organisation_path: path.as_deref(),
            version: after.version,
            before: before.and_then(|r| image(&Position::from(r.clone()))),
            after: if deleted {
                None
            } else {
                image(&Position::from(after.clone()))
            },
        },
    )
}

fn check_title(title: &str, errors: &mut Vec<FieldError>) {
    let trimmed = title.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 255 {
        errors.push(FieldError::new(
            "title",
            "invalid_title",
            Msg::LengthBetween
                .with("field", "title")
                .with("min", 1)
                .with("max", 255),
        ));
    }
}

fn check_refs(conn: &mut DbConnection, access: &Access, row: &PositionRow) -> ApiResult<()> {
    if let Some(organisation_id) = &row.organisation_id {
        crate::organisations::store::find_reference(
            conn,
            access,
            organisation_id,
            "organisation_id",
        )?;
    }
    if let Some(locality_id) = &row.locality_id {
        // Localities are shared by every scope: any live one may be named.
        crate::localities::store::find(conn, locality_id)
            .map_err(|e| e.for_reference("locality_id"))?;
    }
    Ok(())
}

/// Creates a position.
pub fn create(conn: &mut DbConnection, access: &Access, new: NewPosition) -> ApiResult<Position> {
    let mut errors = Vec::new();
    check_title(&new.title, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let at = now();
    let row = PositionRow {
        id: new_id(),
        title: new.title.trim().to_owned(),
        search_name: fold(&new.title),
        body: new.body.as_str().to_owned(),
        organisation_id: new
            .organisation_id
            .or_else(|| access.scope.root_id().map(str::to_owned)),
        locality_id: new.locality_id,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    check_refs(conn, access, &row)?;
    diesel::insert_into(p::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, &row, false)?;
    Ok(Position::from(row))
}

/// Applies a merge patch to a position.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: PositionPatch,
    expected: Option<i64>,
) -> ApiResult<Position> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut body = PositionBody::from_db(&current.body);
    set_required(&mut next.title, patch.title, "title", &mut errors);
    set_required(&mut body, patch.body, "body", &mut errors);
    set_nullable(&mut next.organisation_id, patch.organisation_id);
    set_nullable(&mut next.locality_id, patch.locality_id);
    check_title(&next.title, &mut errors);
    if next.organisation_id.is_none() && access.scope.root_id().is_some() {
        errors.push(FieldError::new(
            "organisation_id",
            "required",
            Msg::NotNullWhenScoped.with("field", "organisation_id"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    next.title = next.title.trim().to_owned();
    next.search_name = fold(&next.title);
    next.body = body.as_str().to_owned();
    if next == current {
        return Ok(Position::from(current));
    }
    check_refs(conn, access, &next)?;
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(p::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next, false)?;
    Ok(Position::from(next))
}

/// Soft-deletes a position entered by mistake.
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
    diesel::update(p::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), &gone, true)
}
