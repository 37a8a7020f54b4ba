//! HTTP handlers for `/api/v1/localities`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Lists localities (shared reference data, readable by every caller).
#[utoipa::path(
    tag = "localities",
    operation_id = "listLocalitys",
    params(PageParams, LocalityFilters),
    responses(
        (status = 200, description = "A page of localities", body = inline(Page<Locality>),
         headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Bad filter, sort, limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_localities(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<LocalityFilters>,
) -> Result<HttpResponse, ApiError> {
    let filters = filters.into_inner();
    let page = PageRequest::parse(&paging, store::SORT_FIELDS, &filters)?;
    let result = state
        .read(caller, Right::Read, move |conn, _| {
            store::list(conn, &filters, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Reads one locality.
#[utoipa::path(
    tag = "localities",
    operation_id = "getLocality",
    params(("id" = String, Path, description = "Locality id")),
    responses(
        (status = 200, description = "The locality", body = Locality,
         headers(("ETag" = String, description = "Quoted version"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_locality(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let row = state
        .read(caller, Right::Read, move |conn, _| store::find(conn, &id))
        .await?;
    Ok(api::resource(&req, row.version, &Locality::from(row)))
}

/// Creates a locality (unscoped organisers and admins).
#[utoipa::path(
    tag = "localities",
    operation_id = "createLocality",
    request_body = NewLocality,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Locality,
         headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write, or the caller is scoped", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "parent_id names no locality", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate code", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule is broken: parent_kind_not_allowed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_locality(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewLocality>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/localities/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes a locality (JSON merge patch); moving it carries its subtree.
#[utoipa::path(
    tag = "localities",
    operation_id = "updateLocality",
    request_body(content = LocalityPatch, content_type = "application/merge-patch+json"),
    params(
        ("id" = String, Path, description = "Locality id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being changed"),
    ),
    responses(
        (status = 200, description = "The locality as changed", body = Locality, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write, or the caller is scoped", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate code", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule is broken: cycle, parent_kind_not_allowed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_locality(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<LocalityPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let patch = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::update(conn, access, &id, patch, expected)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, api::etag(view.version)))
        .json(view))
}

/// Deletes a locality entered by mistake (nothing may refer to it).
#[utoipa::path(
    tag = "localities",
    operation_id = "deleteLocality",
    params(
        ("id" = String, Path, description = "Locality id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write, or the caller is scoped", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still referred to", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_locality(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    state
        .write(caller, Right::Write, move |conn, access| {
            store::delete(conn, access, &id, expected)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
