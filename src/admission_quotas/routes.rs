//! HTTP handlers for `/api/v1/admission-quotas`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::store;
use super::*;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Lists admission quotas in the caller's scope.
#[utoipa::path(
    tag = "admission-quotas", operation_id = "listAdmissionQuotas",
    params(PageParams, QuotaFilters),
    responses(
        (status = 200, description = "A page of quotas", body = inline(Page<Quota>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_admission_quotas(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<QuotaFilters>,
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

/// Reads one admission quota.
#[utoipa::path(
    tag = "admission-quotas", operation_id = "getAdmissionQuota",
    params(("id" = String, Path, description = "Quota id")),
    responses(
        (status = 200, description = "The quota", body = Quota, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_admission_quota(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let quota = Quota::from(
        state
            .read(caller, Right::Read, move |conn, access| {
                store::find(conn, access, &id)
            })
            .await?,
    );
    Ok(api::resource(&req, quota.version, &quota))
}

/// Sets the admission target of an organisation for a year (one per organisation and year).
#[utoipa::path(
    tag = "admission-quotas", operation_id = "createAdmissionQuota",
    request_body = NewQuota,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Quota, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A quota for that organisation and year exists", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_admission_quota(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewQuota>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/admission-quotas/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes a quota's target (JSON merge patch).
#[utoipa::path(
    tag = "admission-quotas", operation_id = "updateAdmissionQuota",
    request_body(content = QuotaPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Quota id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The quota as changed", body = Quota, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A quota for that organisation and year exists", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_admission_quota(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<QuotaPatch>,
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

/// Deletes a quota entered by mistake.
#[utoipa::path(
    tag = "admission-quotas", operation_id = "deleteAdmissionQuota",
    params(("id" = String, Path, description = "Quota id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
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
pub async fn delete_admission_quota(
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
