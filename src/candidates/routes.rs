//! HTTP handlers for `/api/v1/candidates`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::members::model::Member;
use crate::state::AppState;

/// Lists candidates in the caller's scope.
#[utoipa::path(
    tag = "candidates", operation_id = "listCandidates",
    params(PageParams, CandidateFilters),
    responses(
        (status = 200, description = "A page of candidates", body = inline(Page<Candidate>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_candidates(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<CandidateFilters>,
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

/// Reads one candidate; a full read is recorded in the audit log.
#[utoipa::path(
    tag = "candidates", operation_id = "getCandidate",
    params(("id" = String, Path, description = "Candidate id")),
    responses(
        (status = 200, description = "The candidate", body = Candidate, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_candidate(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let candidate = state
        .read(caller, Right::Read, move |conn, access| {
            store::read(conn, access, &id)
        })
        .await?;
    Ok(api::resource(&req, candidate.version, &candidate))
}

/// Puts an outstanding non-member on the development list of a cell.
#[utoipa::path(
    tag = "candidates", operation_id = "createCandidate",
    request_body = NewCandidate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Candidate, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Cell, person, mentor or introducer not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate national id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_a_cell, organisation_dissolved", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_candidate(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewCandidate>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/candidates/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes a candidate (JSON merge patch).
#[utoipa::path(
    tag = "candidates", operation_id = "updateCandidate",
    request_body(content = CandidatePatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Candidate id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The candidate as changed", body = Candidate, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_admitted", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_candidate(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<CandidatePatch>,
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

/// Deletes a candidate entered by mistake.
#[utoipa::path(
    tag = "candidates", operation_id = "deleteCandidate",
    params(("id" = String, Path, description = "Candidate id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
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
pub async fn delete_candidate(
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

/// Admits a candidate as a probationary member of the same person, when every rule holds.
#[utoipa::path(
    tag = "candidates", operation_id = "admitCandidate",
    request_body = AdmissionRequest,
    params(("id" = String, Path, description = "Candidate id"), ("If-Match" = Option<String>, Header, description = "ETag of the candidate"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "The new probationary member", body = Member, headers(("Location" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_admitted, candidate_dropped, already_member, duplicate_member_number", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "too_young, too_old, awareness_class_missing, introducers_required, introducer_not_official, education_upgrade_pending", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/admission")]
pub async fn admit_candidate(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<AdmissionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let request = body.into_inner();
    let member = state
        .write(caller, Right::Write, move |conn, access| {
            store::admit(conn, access, &id, request, expected)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/members/{}", member.id),
        member.version,
        &member,
    ))
}
