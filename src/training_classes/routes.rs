//! HTTP handlers for `/api/v1/training-classes`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::i18n::Msg;
use crate::state::AppState;

/// Lists training classes organised in the caller's scope.
#[utoipa::path(
    tag = "training", operation_id = "listTrainingClasses",
    params(PageParams, TrainingClassFilters),
    responses(
        (status = 200, description = "A page of training classes", body = inline(Page<TrainingClass>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_training_classes(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<TrainingClassFilters>,
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

/// Reads one training class.
#[utoipa::path(
    tag = "training", operation_id = "getTrainingClass",
    params(("id" = String, Path, description = "Training class id")),
    responses(
        (status = 200, description = "The training class", body = TrainingClass, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_training_class(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let view = TrainingClass::from(
        state
            .read(caller, Right::Read, move |conn, access| {
                store::find(conn, access, &id)
            })
            .await?,
    );
    Ok(api::resource(&req, view.version, &view))
}

/// Creates a training class.
#[utoipa::path(
    tag = "training", operation_id = "createTrainingClass",
    request_body = NewTrainingClass,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = TrainingClass, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body, ends_before_starts", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organiser organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_code", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_training_class(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewTrainingClass>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/training-classes/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes a training class (JSON merge patch).
#[utoipa::path(
    tag = "training", operation_id = "updateTrainingClass",
    request_body(content = TrainingClassPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Training class id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The training class as changed", body = TrainingClass, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch, ends_before_starts", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope, or a referenced record not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_code, class_full (capacity below the seats taken)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_training_class(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<TrainingClassPatch>,
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

/// Deletes a training class entered by mistake.
#[utoipa::path(
    tag = "training", operation_id = "deleteTrainingClass",
    params(("id" = String, Path, description = "Training class id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
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
pub async fn delete_training_class(
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

/// Lists a class's enrolments; `?format=csv` returns the whole attendance
/// sheet as CSV (full_name, gender, date_of_birth for roles that may see
/// personal data, status, completed_on, certificate_number).
#[utoipa::path(
    tag = "training", operation_id = "listEnrolments",
    params(("id" = String, Path, description = "Training class id"), PageParams, EnrolmentFilters),
    responses(
        (status = 200, description = "A page of enrolments, or the attendance sheet as CSV",
         content((inline(Page<Enrolment>) = "application/json"), (String = "text/csv", example = json!("full_name,gender,date_of_birth,status,completed_on,certificate_number\r\nLò Thị Mai,female,1990-05-01,completed,2016-06-30,NT-2016-001\r\n"))),
         headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Class not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/enrolments")]
pub async fn list_enrolments(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    paging: web::Query<PageParams>,
    filters: web::Query<EnrolmentFilters>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let filters = filters.into_inner();
    match filters.format.as_deref() {
        None | Some("json") => {}
        Some("csv") => {
            let csv = state
                .read(caller, Right::Read, move |conn, access| {
                    store::attendance_csv(conn, access, &id, &filters)
                })
                .await?;
            return Ok(HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .body(csv));
        }
        Some(_) => {
            return Err(ApiError::invalid_field(
                "format",
                "invalid_format",
                Msg::OneOf
                    .with("field", "format")
                    .with("choices", "json, csv"),
            ))
        }
    }
    let page = PageRequest::parse(&paging, store::ENROLMENT_SORT_FIELDS, &(&id, &filters))?;
    let result = state
        .read(caller, Right::Read, move |conn, access| {
            store::list_enrolments(conn, access, &id, &filters, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Enrols a person in a class (once per class, within its capacity).
#[utoipa::path(
    tag = "training", operation_id = "createEnrolment",
    request_body = NewEnrolment,
    params(("id" = String, Path, description = "Training class id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Enrolment, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body, completed_on required", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Class or person not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_enrolled, class_full", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/enrolments")]
pub async fn create_enrolment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NewEnrolment>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create_enrolment(conn, access, &id, new)
        })
        .await?;
    Ok(api::created(
        format!(
            "/api/v1/training-classes/{}/enrolments/{}",
            view.class_id, view.id
        ),
        view.version,
        &view,
    ))
}

/// Reads one enrolment.
#[utoipa::path(
    tag = "training", operation_id = "getEnrolment",
    params(("id" = String, Path, description = "Training class id"), ("enrolment_id" = String, Path, description = "Enrolment id")),
    responses(
        (status = 200, description = "The enrolment", body = Enrolment, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/enrolments/{enrolment_id}")]
pub async fn get_enrolment(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, enrolment_id) = path.into_inner();
    let (id, enrolment_id) = (path_id(&id)?, path_id(&enrolment_id)?);
    let view = state
        .read(caller, Right::Read, move |conn, access| {
            store::read_enrolment(conn, access, &id, &enrolment_id)
        })
        .await?;
    Ok(api::resource(&req, view.version, &view))
}

/// Changes an enrolment (JSON merge patch); completing a Party-awareness
/// class records the date on the person's open candidate records.
#[utoipa::path(
    tag = "training", operation_id = "updateEnrolment",
    request_body(content = EnrolmentPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Training class id"), ("enrolment_id" = String, Path, description = "Enrolment id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The enrolment as changed", body = Enrolment, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch, completed_on required", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "class_full (re-enrolling a withdrawn person)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}/enrolments/{enrolment_id}")]
pub async fn update_enrolment(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<EnrolmentPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, enrolment_id) = path.into_inner();
    let (id, enrolment_id) = (path_id(&id)?, path_id(&enrolment_id)?);
    let expected = api::if_match(&req)?;
    let patch = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::update_enrolment(conn, access, &id, &enrolment_id, patch, expected)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, api::etag(view.version)))
        .json(view))
}

/// Deletes an enrolment entered by mistake.
#[utoipa::path(
    tag = "training", operation_id = "deleteEnrolment",
    params(("id" = String, Path, description = "Training class id"), ("enrolment_id" = String, Path, description = "Enrolment id"),
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
#[delete("/{id}/enrolments/{enrolment_id}")]
pub async fn delete_enrolment(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, enrolment_id) = path.into_inner();
    let (id, enrolment_id) = (path_id(&id)?, path_id(&enrolment_id)?);
    let expected = api::if_match(&req)?;
    state
        .write(caller, Right::Write, move |conn, access| {
            store::delete_enrolment(conn, access, &id, &enrolment_id, expected)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
