//! HTTP handlers for `/api/v1/cadres` and their oversights.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Lists cadres in the caller's scope.
#[utoipa::path(
    tag = "cadres", operation_id = "listCadres",
    params(PageParams, CadreFilters),
    responses(
        (status = 200, description = "A page of cadres", body = inline(Page<Cadre>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_cadres(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<CadreFilters>,
) -> Result<HttpResponse, ApiError> {
    let filters = filters.into_inner();
    let page = PageRequest::parse(&paging, store::SORT_FIELDS, &filters)?;
    let result = state
        .read(caller, Right::Read, move |conn, access| {
            store::list(conn, access, &filters, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Reads one cadre; a full read is recorded in the audit log.
#[utoipa::path(
    tag = "cadres", operation_id = "getCadre",
    params(("id" = String, Path, description = "Cadre id")),
    responses(
        (status = 200, description = "The cadre", body = Cadre, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_cadre(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let cadre = state
        .read(caller, Right::Read, move |conn, access| {
            store::read(conn, access, &id)
        })
        .await?;
    Ok(api::resource(&req, cadre.version, &cadre))
}

/// Puts a person (existing or inline) in the cadre register.
#[utoipa::path(
    tag = "cadres", operation_id = "createCadre",
    request_body = NewCadre,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Cadre, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Person or organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_cadre, duplicate national id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_cadre(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewCadre>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/cadres/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes a cadre (JSON merge patch).
#[utoipa::path(
    tag = "cadres", operation_id = "updateCadre",
    request_body(content = CadrePatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Cadre id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The cadre as changed", body = Cadre, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_cadre(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<CadrePatch>,
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

/// Deletes a cadre entered by mistake.
#[utoipa::path(
    tag = "cadres", operation_id = "deleteCadre",
    params(("id" = String, Path, description = "Cadre id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_cadre(
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

/// Lists the organisations a cadre is assigned to follow.
#[utoipa::path(
    tag = "cadres", operation_id = "listCadreOversights",
    params(("id" = String, Path, description = "Cadre id"), PageParams),
    responses(
        (status = 200, description = "A page of oversights", body = inline(Page<Oversight>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Cadre not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/oversights")]
pub async fn list_cadre_oversights(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    paging: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let page = PageRequest::parse(&paging, store::OVERSIGHT_SORT_FIELDS, &id)?;
    let result = state
        .read(caller, Right::Read, move |conn, access| {
            store::list_oversights(conn, access, &id, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Assigns the cadre to follow a grassroots organisation.
#[utoipa::path(
    tag = "cadres", operation_id = "createCadreOversight",
    request_body = NewOversight,
    params(("id" = String, Path, description = "Cadre id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Oversight, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body, ends_before_starts", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Cadre or organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_grassroots", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/oversights")]
pub async fn create_cadre_oversight(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NewOversight>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create_oversight(conn, access, &id, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/cadres/{}/oversights/{}", view.cadre_id, view.id),
        view.version,
        &view,
    ))
}

/// Reads one oversight.
#[utoipa::path(
    tag = "cadres", operation_id = "getCadreOversight",
    params(("id" = String, Path, description = "Cadre id"), ("oversight_id" = String, Path, description = "Oversight id")),
    responses(
        (status = 200, description = "The oversight", body = Oversight, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/oversights/{oversight_id}")]
pub async fn get_cadre_oversight(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, oversight_id) = path.into_inner();
    let (id, oversight_id) = (path_id(&id)?, path_id(&oversight_id)?);
    let view = Oversight::from(
        state
            .read(caller, Right::Read, move |conn, access| {
                store::find_oversight(conn, access, &id, &oversight_id)
            })
            .await?,
    );
    Ok(api::resource(&req, view.version, &view))
}

/// Changes an oversight (JSON merge patch), e.g. to end it.
#[utoipa::path(
    tag = "cadres", operation_id = "updateCadreOversight",
    request_body(content = OversightPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Cadre id"), ("oversight_id" = String, Path, description = "Oversight id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The oversight as changed", body = Oversight, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch, ends_before_starts", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_grassroots", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}/oversights/{oversight_id}")]
pub async fn update_cadre_oversight(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<OversightPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, oversight_id) = path.into_inner();
    let (id, oversight_id) = (path_id(&id)?, path_id(&oversight_id)?);
    let expected = api::if_match(&req)?;
    let patch = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::update_oversight(conn, access, &id, &oversight_id, patch, expected)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, api::etag(view.version)))
        .json(view))
}

/// Deletes an oversight entered by mistake.
#[utoipa::path(
    tag = "cadres", operation_id = "deleteCadreOversight",
    params(("id" = String, Path, description = "Cadre id"), ("oversight_id" = String, Path, description = "Oversight id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/{id}/oversights/{oversight_id}")]
pub async fn delete_cadre_oversight(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, oversight_id) = path.into_inner();
    let (id, oversight_id) = (path_id(&id)?, path_id(&oversight_id)?);
    let expected = api::if_match(&req)?;
    state
        .write(caller, Right::Write, move |conn, access| {
            store::delete_oversight(conn, access, &id, &oversight_id, expected)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
