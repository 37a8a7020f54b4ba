//! HTTP handlers for `/api/v1/assessments`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Lists assessments rated under organisations in the caller's scope.
#[utoipa::path(
    tag = "assessments", operation_id = "listAssessments",
    params(PageParams, AssessmentFilters),
    responses(
        (status = 200, description = "A page of assessments", body = inline(Page<Assessment>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_assessments(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<AssessmentFilters>,
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

/// Reads one assessment, with the rating's wording in force that year.
#[utoipa::path(
    tag = "assessments", operation_id = "getAssessment",
    params(("id" = String, Path, description = "Assessment id")),
    responses(
        (status = 200, description = "The assessment", body = Assessment, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let view = Assessment::from(
        state
            .read(caller, Right::Read, move |conn, access| {
                store::find(conn, access, &id)
            })
            .await?,
    );
    Ok(api::resource(&req, view.version, &view))
}

/// Rates an organisation or member for a year (one rating per subject and year).
#[utoipa::path(
    tag = "assessments", operation_id = "createAssessment",
    request_body = NewAssessment,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Assessment, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Subject not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_assessment", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "points_not_applicable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_assessment(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewAssessment>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/assessments/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes an assessment (JSON merge patch).
#[utoipa::path(
    tag = "assessments", operation_id = "updateAssessment",
    request_body(content = AssessmentPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Assessment id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The assessment as changed", body = Assessment, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope, or a referenced record not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_assessment", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "points_not_applicable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_assessment(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<AssessmentPatch>,
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

/// Deletes an assessment entered by mistake.
#[utoipa::path(
    tag = "assessments", operation_id = "deleteAssessment",
    params(("id" = String, Path, description = "Assessment id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
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
pub async fn delete_assessment(
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

/// Counts per rating of the subjects rated in a year under an organisation,
/// and whether `excellent` exceeds 20% of `good` (QĐ 132-QĐ/TW 2018; always
/// false before 2018).
#[utoipa::path(
    tag = "assessments", operation_id = "getAssessmentSummary",
    params(SummaryQuery),
    responses(
        (status = 200, description = "The summary", body = AssessmentSummary),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/summary")]
pub async fn get_assessment_summary(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SummaryQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let summary = state
        .read(caller, Right::Read, move |conn, access| {
            store::summary(conn, access, &query)
        })
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}
