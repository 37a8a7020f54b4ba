//! `/api/v1/users`: accounts of people.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{check_assignable_scope, check_username};
use crate::api::pagination::{key, respond, After, Page, PageParams, PageRequest};
use crate::api::patch::{double_option, set_nullable, set_required};
use crate::api::{self, check_version, new_id, now, path_id};
use crate::audit::{self, image, Write};
use crate::auth::{password, Access, Caller, Right};
use crate::db::schema::{organisations, users as u};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, Problem};
use crate::i18n::Msg;
use crate::keyset;
use crate::state::AppState;
use crate::vocabularies::Role;

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = u, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub full_name: Option<String>,
    pub role: String,
    pub scope_organisation_id: Option<String>,
    pub disabled: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// A user account (the password hash is never shown).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "username": "to.chuc.muongdang",
    "full_name": "Lò Văn Minh", "role": "organiser",
    "scope_organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a62", "disabled": false,
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"
}))]
pub struct User {
    pub id: String,
    pub username: String,
    pub full_name: Option<String>,
    pub role: Role,
    pub scope_organisation_id: Option<String>,
    pub disabled: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            role: Role::from_db(&row.role),
            id: row.id,
            username: row.username,
            full_name: row.full_name,
            scope_organisation_id: row.scope_organisation_id,
            disabled: row.disabled,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /users`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "to.chuc.muongdang", "password": "a-long-passphrase", "full_name": "Lò Văn Minh", "role": "organiser", "scope_organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a62"}))]
pub struct NewUser {
    pub username: String,
    /// At least 8 characters; stored as an Argon2id hash.
    pub password: String,
    pub full_name: Option<String>,
    pub role: Role,
    pub scope_organisation_id: Option<String>,
    #[serde(default)]
    pub disabled: bool,
}

/// Body of `PATCH /users/{id}` (JSON merge patch).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"disabled": true}))]
pub struct UserPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub username: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub password: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub full_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Role>)]
    pub role: Option<Option<Role>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub scope_organisation_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub disabled: Option<Option<bool>>,
}

/// Filters of `GET /users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

const SORT_FIELDS: &[&str] = &["id", "username", "created_at"];
const RECORD_TYPE: &str = "user";

fn visible(access: &Access) -> u::BoxedQuery<'static, DbBackend> {
    let mut query = u::table.filter(u::deleted_at.is_null()).into_boxed();
    // A scoped admin sees the accounts bound inside its subtree.
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(
            u::scope_organisation_id.eq_any(
                organisations::table
                    .filter(organisations::path.ge(lo))
                    .filter(organisations::path.lt(hi))
                    .select(organisations::id.nullable()),
            ),
        );
    }
    query
}

fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<UserRow> {
    Ok(visible(access)
        .filter(u::id.eq(id.to_owned()))
        .first(conn)?)
}

fn filtered(access: &Access, filters: &UserFilters) -> u::BoxedQuery<'static, DbBackend> {
    let mut query = visible(access);
    if let Some(role) = filters.role {
        query = query.filter(u::role.eq(role.as_str()));
    }
    if let Some(disabled) = filters.disabled {
        query = query.filter(u::disabled.eq(disabled));
    }
    query
}

fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &UserFilters,
    page: &PageRequest,
) -> ApiResult<Page<User>> {
    let query = filtered(access, filters);
    let query = match page.sort_field {
        "username" => keyset!(query, page, u::username, u::id, key::text),
        "created_at" => keyset!(query, page, u::created_at, u::id, key::instant),
        _ => keyset!(query, page, u::id, u::id, key::text),
    };
    let rows: Vec<UserRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(access, filters).count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &UserRow| After {
        key: match page.sort_field {
            "username" => row.username.clone(),
            "created_at" => key::instant_text(&row.created_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, User::from, total))
}

fn check_username_free(conn: &mut DbConnection, username: &str, except_id: &str) -> ApiResult<()> {
    let taken: i64 = u::table
        .filter(u::username.eq(username))
        .filter(u::deleted_at.is_null())
        .filter(u::id.ne(except_id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "duplicate_username",
            Msg::DuplicateUsername.with("username", username),
        ));
    }
    Ok(())
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&UserRow>,
    after: Option<&UserRow>,
    id: &str,
    version: i64,
) -> ApiResult<()> {
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: id,
            organisation_path: None,
            version,
            before: before.and_then(|r| image(&User::from(r.clone()))),
            after: after.and_then(|r| image(&User::from(r.clone()))),
        },
    )
}

fn create(conn: &mut DbConnection, access: &Access, new: NewUser, hash: String) -> ApiResult<User> {
    check_username(&new.username)?;
    check_assignable_scope(conn, access, new.scope_organisation_id.as_deref())?;
    let id = new_id();
    check_username_free(conn, &new.username, &id)?;
    let at = now();
    let row = UserRow {
        id: id.clone(),
        username: new.username,
        password_hash: hash,
        full_name: new.full_name,
        role: new.role.as_str().to_owned(),
        scope_organisation_id: new.scope_organisation_id,
        disabled: new.disabled,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    diesel::insert_into(u::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, Some(&row), &id, 1)?;
    Ok(User::from(row))
}

fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: UserPatch,
    new_hash: Option<String>,
    expected: Option<i64>,
) -> ApiResult<User> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut role = Role::from_db(&current.role);
    let mut disabled = current.disabled;
    set_required(&mut next.username, patch.username, "username", &mut errors);
    set_required(&mut role, patch.role, "role", &mut errors);
    set_required(&mut disabled, patch.disabled, "disabled", &mut errors);
    set_nullable(&mut next.full_name, patch.full_name);
    set_nullable(&mut next.scope_organisation_id, patch.scope_organisation_id);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    next.role = role.as_str().to_owned();
    next.disabled = disabled;
    if let Some(hash) = new_hash {
        next.password_hash = hash;
    }
    if next == current {
        return Ok(User::from(current));
    }
    if next.username != current.username {
        check_username(&next.username)?;
        check_username_free(conn, &next.username, id)?;
    }
    if next.scope_organisation_id != current.scope_organisation_id {
        check_assignable_scope(conn, access, next.scope_organisation_id.as_deref())?;
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(u::table.find(id)).set(&next).execute(conn)?;
    journal(
        conn,
        access,
        "update",
        Some(&current),
        Some(&next),
        id,
        next.version,
    )?;
    Ok(User::from(next))
}

fn remove(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    if current.id == access.account_id {
        return Err(ApiError::conflict(
            "cannot_delete_self",
            Msg::CannotDeleteSelf,
        ));
    }
    let at = now();
    let version = current.version + 1;
    diesel::update(u::table.find(id))
        .set((
            u::deleted_at.eq(Some(at)),
            u::updated_at.eq(at),
            u::version.eq(version),
        ))
        .execute(conn)?;
    journal(conn, access, "delete", Some(&current), None, id, version)
}

/// Hashes off the async workers (Argon2 costs tens of milliseconds).
async fn hash_password(password: String) -> ApiResult<String> {
    password::check_strength(&password)?;
    web::block(move || password::hash(&password)).await?
}

/// Lists user accounts.
#[utoipa::path(
    tag = "accounts", operation_id = "listUsers",
    params(PageParams, UserFilters),
    responses(
        (status = 200, description = "A page of users", body = inline(Page<User>),
         headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<UserFilters>,
) -> Result<HttpResponse, ApiError> {
    let filters = filters.into_inner();
    let page = PageRequest::parse(&paging, SORT_FIELDS, &filters)?;
    let result = state
        .read(caller, Right::ManageAccounts, move |conn, access| {
            list(conn, access, &filters, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Creates a user account.
#[utoipa::path(
    tag = "accounts", operation_id = "createUser",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 400, description = "Malformed body or weak password", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin, or an unscoped account asked by a scoped admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Scope organisation not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username taken", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let hash = hash_password(new.password.clone()).await?;
    let view = state
        .write(caller, Right::ManageAccounts, move |conn, access| {
            create(conn, access, new, hash)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/users/{}", view.id),
        view.version,
        &view,
    ))
}

/// Reads a user account.
#[utoipa::path(
    tag = "accounts", operation_id = "getUser",
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = User, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let row = state
        .read(caller, Right::ManageAccounts, move |conn, access| {
            find(conn, access, &id)
        })
        .await?;
    Ok(api::resource(&req, row.version, &User::from(row)))
}

/// Changes a user account; a disabled account's tokens stop working at once.
#[utoipa::path(
    tag = "accounts", operation_id = "updateUser",
    request_body(content = UserPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "User id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The user as changed", body = User),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let mut patch = body.into_inner();
    let new_hash = match patch.password.take() {
        Some(Some(password)) => Some(hash_password(password).await?),
        Some(None) => {
            return Err(ApiError::invalid_field(
                "password",
                "required",
                Msg::FieldNotNull.with("field", "password"),
            ))
        }
        None => None,
    };
    let view = state
        .write(caller, Right::ManageAccounts, move |conn, access| {
            update(conn, access, &id, patch, new_hash, expected)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, api::etag(view.version)))
        .json(view))
}

/// Deletes a user account.
#[utoipa::path(
    tag = "accounts", operation_id = "deleteUser",
    params(("id" = String, Path, description = "User id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Own account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    state
        .write(caller, Right::ManageAccounts, move |conn, access| {
            remove(conn, access, &id, expected)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
