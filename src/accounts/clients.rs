//! `/api/v1/clients`: API clients for systems (provincial sync and the like).

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::check_assignable_scope;
use crate::api::pagination::{key, respond, After, Page, PageParams, PageRequest};
use crate::api::patch::{double_option, set_required};
use crate::api::{self, check_version, new_id, now, path_id, validate};
use crate::audit::{self, image, Write};
use crate::auth::{password, Access, Caller, Right};
use crate::db::schema::{api_clients as c, organisations};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, Problem};
use crate::keyset;
use crate::state::AppState;
use crate::vocabularies::Role;

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = c, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ClientRow {
    pub id: String,
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    pub role: String,
    pub scope_organisation_id: Option<String>,
    pub disabled: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// An API client. `client_secret` appears only in the create (and secret
/// rotation) response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a90", "client_id": "prc_5f0c2a9d1e7b4c36a8d2",
    "name": "Điện Biên provincial sync", "role": "sync", "scope_organisation_id": null,
    "disabled": false, "version": 1,
    "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z",
    "client_secret": "9b1f…(shown once)"
}))]
pub struct Client {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub role: Role,
    pub scope_organisation_id: Option<String>,
    pub disabled: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Shown once, when created or rotated; store it safely.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl From<ClientRow> for Client {
    fn from(row: ClientRow) -> Self {
        Self {
            role: Role::from_db(&row.role),
            id: row.id,
            client_id: row.client_id,
            name: row.name,
            scope_organisation_id: row.scope_organisation_id,
            disabled: row.disabled,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            client_secret: None,
        }
    }
}

/// Body of `POST /clients`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Điện Biên provincial sync", "role": "sync"}))]
pub struct NewClient {
    pub name: String,
    pub role: Role,
    pub scope_organisation_id: Option<String>,
}

/// Body of `PATCH /clients/{id}` (JSON merge patch).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"disabled": true}))]
pub struct ClientPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
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

/// Filters of `GET /clients`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientFilters {
    pub role: Option<Role>,
}

const SORT_FIELDS: &[&str] = &["id", "name", "created_at"];
const RECORD_TYPE: &str = "client";

fn visible(access: &Access) -> c::BoxedQuery<'static, DbBackend> {
    let mut query = c::table.filter(c::deleted_at.is_null()).into_boxed();
    // A scoped admin sees the accounts bound inside its subtree.
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(
            c::scope_organisation_id.eq_any(
                organisations::table
                    .filter(organisations::path.ge(lo))
                    .filter(organisations::path.lt(hi))
                    .select(organisations::id.nullable()),
            ),
        );
    }
    query
}

fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<ClientRow> {
    Ok(visible(access)
        .filter(c::id.eq(id.to_owned()))
        .first(conn)?)
}

fn filtered(access: &Access, filters: &ClientFilters) -> c::BoxedQuery<'static, DbBackend> {
    let mut query = visible(access);
    if let Some(role) = filters.role {
        query = query.filter(c::role.eq(role.as_str()));
    }
    query
}

fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &ClientFilters,
    page: &PageRequest,
) -> ApiResult<Page<Client>> {
    let query = filtered(access, filters);
    let query = match page.sort_field {
        "name" => keyset!(query, page, c::name, c::id, key::text),
        "created_at" => keyset!(query, page, c::created_at, c::id, key::instant),
        _ => keyset!(query, page, c::id, c::id, key::text),
    };
    let rows: Vec<ClientRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(access, filters).count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &ClientRow| After {
        key: match page.sort_field {
            "name" => row.name.clone(),
            "created_at" => key::instant_text(&row.created_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Client::from, total))
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&ClientRow>,
    after: Option<&ClientRow>,
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
            before: before.and_then(|r| image(&Client::from(r.clone()))),
            after: after.and_then(|r| image(&Client::from(r.clone()))),
        },
    )
}

fn check_name(name: &str) -> ApiResult<()> {
    let mut errors = Vec::new();
    validate::check_name(name, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// A new secret and its hash, computed off the async workers.
async fn new_secret() -> ApiResult<(String, String)> {
    web::block(|| {
        let secret = password::random_secret();
        password::hash(&secret).map(|hash| (secret, hash))
    })
    .await?
}

fn create(
    conn: &mut DbConnection,
    access: &Access,
    new: NewClient,
    secret: (String, String),
) -> ApiResult<Client> {
    check_name(&new.name)?;
    check_assignable_scope(conn, access, new.scope_organisation_id.as_deref())?;
    let id = new_id();
    let at = now();
    let row = ClientRow {
        id: id.clone(),
        client_id: format!("prc_{}", &password::random_secret()[..20]),
        secret_hash: secret.1,
        name: new.name.trim().to_owned(),
        role: new.role.as_str().to_owned(),
        scope_organisation_id: new.scope_organisation_id,
        disabled: false,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    diesel::insert_into(c::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, Some(&row), &id, 1)?;
    let mut view = Client::from(row);
    view.client_secret = Some(secret.0);
    Ok(view)
}

fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: ClientPatch,
    expected: Option<i64>,
) -> ApiResult<Client> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut role = Role::from_db(&current.role);
    let mut disabled = current.disabled;
    set_required(&mut next.name, patch.name, "name", &mut errors);
    set_required(&mut role, patch.role, "role", &mut errors);
    set_required(&mut disabled, patch.disabled, "disabled", &mut errors);
    if let Some(scope) = patch.scope_organisation_id {
        next.scope_organisation_id = scope;
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    next.role = role.as_str().to_owned();
    next.disabled = disabled;
    if next == current {
        return Ok(Client::from(current));
    }
    check_name(&next.name)?;
    if next.scope_organisation_id != current.scope_organisation_id {
        check_assignable_scope(conn, access, next.scope_organisation_id.as_deref())?;
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(c::table.find(id)).set(&next).execute(conn)?;
    journal(
        conn,
        access,
        "update",
        Some(&current),
        Some(&next),
        id,
        next.version,
    )?;
    Ok(Client::from(next))
}

fn rotate(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    secret: (String, String),
) -> ApiResult<Client> {
    let current = find(conn, access, id)?;
    let mut next = current.clone();
    next.secret_hash = secret.1;
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(c::table.find(id)).set(&next).execute(conn)?;
    journal(
        conn,
        access,
        "rotate_secret",
        Some(&current),
        Some(&next),
        id,
        next.version,
    )?;
    let mut view = Client::from(next);
    view.client_secret = Some(secret.0);
    Ok(view)
}

fn remove(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let at = now();
    let version = current.version + 1;
    diesel::update(c::table.find(id))
        .set((
            c::deleted_at.eq(Some(at)),
            c::updated_at.eq(at),
            c::version.eq(version),
        ))
        .execute(conn)?;
    journal(conn, access, "delete", Some(&current), None, id, version)
}

/// Lists API clients.
#[utoipa::path(
    tag = "accounts", operation_id = "listClients",
    params(PageParams, ClientFilters),
    responses(
        (status = 200, description = "A page of clients", body = inline(Page<Client>),
         headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_clients(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<ClientFilters>,
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

/// Creates an API client; the response shows `client_secret` once.
#[utoipa::path(
    tag = "accounts", operation_id = "createClient",
    request_body = NewClient,
    responses(
        (status = 201, description = "Created, with the secret", body = Client),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Scope organisation not found", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_client(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewClient>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let secret = new_secret().await?;
    let view = state
        .write(caller, Right::ManageAccounts, move |conn, access| {
            create(conn, access, new, secret)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/clients/{}", view.id),
        view.version,
        &view,
    ))
}

/// Reads an API client (without its secret).
#[utoipa::path(
    tag = "accounts", operation_id = "getClient",
    params(("id" = String, Path, description = "Client record id")),
    responses(
        (status = 200, description = "The client", body = Client, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_client(
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
    Ok(api::resource(&req, row.version, &Client::from(row)))
}

/// Changes an API client; disabling it stops its tokens at once.
#[utoipa::path(
    tag = "accounts", operation_id = "updateClient",
    request_body(content = ClientPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Client record id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The client as changed", body = Client),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_client(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<ClientPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let patch = body.into_inner();
    let view = state
        .write(caller, Right::ManageAccounts, move |conn, access| {
            update(conn, access, &id, patch, expected)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, api::etag(view.version)))
        .json(view))
}

/// Issues a new secret for an API client; the old one stops working.
#[utoipa::path(
    tag = "accounts", operation_id = "rotateClientSecret",
    params(("id" = String, Path, description = "Client record id")),
    responses(
        (status = 200, description = "The client with its new secret", body = Client),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/secret")]
pub async fn rotate_client_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let secret = new_secret().await?;
    let view = state
        .write(caller, Right::ManageAccounts, move |conn, access| {
            rotate(conn, access, &id, secret)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Deletes an API client.
#[utoipa::path(
    tag = "accounts", operation_id = "deleteClient",
    params(("id" = String, Path, description = "Client record id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_client(
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
