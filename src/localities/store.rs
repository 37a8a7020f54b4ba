//! Database work for localities.

use diesel::prelude::*;

use super::model::*;
use super::rules;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::search::{contains_pattern, fold};
use crate::api::{check_version, new_id, now, validate};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access};
use crate::db::schema::localities as l;
use crate::db::{child_path, substr, DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::vocabularies::LocalityKind;

/// Sort fields of the list; the first is the default.
pub const SORT_FIELDS: &[&str] = &["id", "code", "name", "created_at", "updated_at"];

const RECORD_TYPE: &str = "locality";

type Query = l::BoxedQuery<'static, DbBackend>;

fn live() -> Query {
    l::table.filter(l::deleted_at.is_null()).into_boxed()
}

/// One live locality, or 404.
pub fn find(conn: &mut DbConnection, id: &str) -> ApiResult<LocalityRow> {
    Ok(live().filter(l::id.eq(id.to_owned())).first(conn)?)
}

fn filtered(conn: &mut DbConnection, filters: &LocalityFilters) -> ApiResult<Query> {
    let mut query = live();
    if let Some(parent_id) = &filters.parent_id {
        query = query.filter(l::parent_id.eq(parent_id.clone()));
    }
    if let Some(ancestor_id) = &filters.ancestor_id {
        let ancestor = find(conn, ancestor_id).map_err(|_| {
            ApiError::invalid_field("ancestor_id", "reference_not_found", Msg::NoSuchLocality)
        })?;
        let (lo, hi) = subtree_range(&ancestor.path);
        query = query.filter(l::path.ge(lo)).filter(l::path.lt(hi));
    }
    if let Some(kind) = filters.kind {
        query = query.filter(l::kind.eq(kind.as_str()));
    }
    if let Some(day) = filters.active_on {
        query = query
            .filter(l::established_on.is_null().or(l::established_on.le(day)))
            .filter(l::dissolved_on.is_null().or(l::dissolved_on.gt(day)));
    }
    if let Some(q) = &filters.q {
        query = query.filter(l::search_name.like(contains_pattern(q)).escape('\\'));
    }
    Ok(query)
}

/// A page of localities matching the filters.
pub fn list(
    conn: &mut DbConnection,
    filters: &LocalityFilters,
    page: &PageRequest,
) -> ApiResult<Page<Locality>> {
    let query = filtered(conn, filters)?;
    let query = match page.sort_field {
        "code" => keyset!(query, page, l::code, l::id, key::text),
        "name" => keyset!(query, page, l::name, l::id, key::text),
        "created_at" => keyset!(query, page, l::created_at, l::id, key::instant),
        "updated_at" => keyset!(query, page, l::updated_at, l::id, key::instant),
        _ => keyset!(query, page, l::id, l::id, key::text),
    };
    let rows: Vec<LocalityRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &LocalityRow| After {
        key: match page.sort_field {
            "code" => row.code.clone(),
            "name" => row.name.clone(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Locality::from, total))
}

/// The map is shared by every subtree: only unscoped writers change it.
fn require_unscoped(access: &Access) -> ApiResult<()> {
    if access.scope.root_id().is_some() {
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

fn check_fields(row: &LocalityRow, errors: &mut Vec<FieldError>) {
    validate::check_code(&row.code, errors);
    validate::check_name(&row.name, errors);
    validate::check_dates(row.established_on, row.dissolved_on, errors);
}

fn check_code_free(conn: &mut DbConnection, code: &str, except_id: &str) -> ApiResult<()> {
    let taken: i64 = l::table
        .filter(l::code.eq(code))
        .filter(l::deleted_at.is_null())
        .filter(l::id.ne(except_id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "duplicate_code",
            Msg::DuplicateLocalityCode.with("code", code),
        ));
    }
    Ok(())
}

fn resolve_parent(
    conn: &mut DbConnection,
    parent_id: Option<&str>,
    kind: LocalityKind,
) -> ApiResult<Option<LocalityRow>> {
    let parent = match parent_id {
        Some(id) => Some(find(conn, id).map_err(|e| e.for_reference("parent_id"))?),
        None => None,
    };
    if !rules::parent_kind_allowed(kind, parent.as_ref().map(LocalityRow::kind)) {
        return Err(ApiError::RuleBroken {
            code: "parent_kind_not_allowed",
            detail: Msg::LocalityKindUnder.with("kind", kind),
            errors: vec![FieldError::new(
                "parent_id",
                "parent_kind_not_allowed",
                Msg::ParentKindMismatch,
            )],
        });
    }
    Ok(parent)
}

/// Creates a locality.
pub fn create(conn: &mut DbConnection, access: &Access, new: NewLocality) -> ApiResult<Locality> {
    require_unscoped(access)?;
    let id = new_id();
    let at = now();
    let mut row = LocalityRow {
        id: id.clone(),
        search_name: fold(&format!("{} {}", new.name, new.code)),
        code: new.code,
        name: new.name.trim().to_owned(),
        kind: new.kind.as_str().to_owned(),
        parent_id: new.parent_id,
        path: String::new(),
        established_on: new.established_on,
        dissolved_on: new.dissolved_on,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    let mut errors = Vec::new();
    check_fields(&row, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let parent = resolve_parent(conn, row.parent_id.as_deref(), new.kind)?;
    row.path = child_path(parent.as_ref().map(|p| p.path.as_str()), &id);
    check_code_free(conn, &row.code, &id)?;
    diesel::insert_into(l::table).values(&row).execute(conn)?;
    let view = Locality::from(row);
    audit::record(
        conn,
        access,
        Write {
            action: "create",
            record_type: RECORD_TYPE,
            record_id: &id,
            organisation_path: None,
            version: view.version,
            before: None,
            after: image(&view),
        },
    )?;
    Ok(view)
}

/// Applies a merge patch; moving a locality carries its subtree along.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: LocalityPatch,
    expected_version: Option<i64>,
) -> ApiResult<Locality> {
    require_unscoped(access)?;
    let current = find(conn, id)?;
    check_version(expected_version, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut kind = current.kind();
    set_required(&mut next.code, patch.code, "code", &mut errors);
    set_required(&mut next.name, patch.name, "name", &mut errors);
    set_required(&mut kind, patch.kind, "kind", &mut errors);
    set_nullable(&mut next.parent_id, patch.parent_id);
    set_nullable(&mut next.established_on, patch.established_on);
    set_nullable(&mut next.dissolved_on, patch.dissolved_on);
    next.name = next.name.trim().to_owned();
    next.kind = kind.as_str().to_owned();
    next.search_name = fold(&format!("{} {}", next.name, next.code));
    check_fields(&next, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if next == current {
        return Ok(Locality::from(current));
    }
    if next.code != current.code {
        check_code_free(conn, &next.code, id)?;
    }
    if next.parent_id != current.parent_id || next.kind != current.kind {
        let parent = resolve_parent(conn, next.parent_id.as_deref(), kind)?;
        if let Some(p) = &parent {
            if p.path.starts_with(&current.path) {
                return Err(ApiError::rule("cycle", Msg::LocalityCycle));
            }
        }
        let new_path = child_path(parent.as_ref().map(|p| p.path.as_str()), id);
        if new_path != current.path {
            let (lo, hi) = subtree_range(&current.path);
            let keep_from = i32::try_from(current.path.len() + 1)
                .map_err(|_| ApiError::Internal("path too long".into()))?;
            diesel::update(l::table.filter(l::path.gt(lo)).filter(l::path.lt(hi)))
                .set(
                    l::path.eq(new_path
                        .clone()
                        .into_sql::<diesel::sql_types::Text>()
                        .concat(substr(l::path, keep_from))),
                )
                .execute(conn)?;
            next.path = new_path;
        }
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(l::table.find(id)).set(&next).execute(conn)?;
    let view = Locality::from(next);
    audit::record(
        conn,
        access,
        Write {
            action: "update",
            record_type: RECORD_TYPE,
            record_id: id,
            organisation_path: None,
            version: view.version,
            before: image(&Locality::from(current)),
            after: image(&view),
        },
    )?;
    Ok(view)
}

/// Soft-deletes a locality entered by mistake: nothing may refer to it.
pub fn delete(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    expected_version: Option<i64>,
) -> ApiResult<()> {
    require_unscoped(access)?;
    let current = find(conn, id)?;
    check_version(expected_version, current.version)?;
    let children: i64 = l::table
        .filter(l::parent_id.eq(id))
        .filter(l::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    let based_here: i64 = crate::db::schema::organisations::table
        .filter(crate::db::schema::organisations::locality_id.eq(id))
        .filter(crate::db::schema::organisations::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    if children + based_here > 0 {
        return Err(ApiError::conflict("in_use", Msg::LocalityInUse));
    }
    let at = now();
    let version = current.version + 1;
    diesel::update(l::table.find(id))
        .set((
            l::deleted_at.eq(Some(at)),
            l::updated_at.eq(at),
            l::version.eq(version),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        access,
        Write {
            action: "delete",
            record_type: RECORD_TYPE,
            record_id: id,
            organisation_path: None,
            version,
            before: image(&Locality::from(current)),
            after: None,
        },
    )
}
