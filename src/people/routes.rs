//! HTTP handlers for `/api/v1/people`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Lists people in the caller's scope (sensitive fields only for roles that may see them).
#[utoipa::path(
    tag = "people", operation_id = "listPeople",
    params(PageParams, PersonFilters),
    responses(
        (status = 200, description = "A page of people", body = inline(Page<Person>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_people(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<PersonFilters>,
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

/// Reads one person; a full read is recorded in the audit log.
#[utoipa::path(
    tag = "people", operation_id = "getPerson",
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, description = "The person", body = Person, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let person = state
        .read_point(caller, Right::Read, move |conn, access| {
            store::read(conn, access, &id)
        })
        .await?;
    Ok(api::resource(&req, person.version, &person))
}

/// Creates a person (unscoped writers; scoped ones create people inline with a member or candidate).
#[utoipa::path(
    tag = "people", operation_id = "createPerson",
    request_body = NewPerson,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Person, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write, or the caller is scoped", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Residence locality not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate national id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_person(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewPerson>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/people/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes a person (JSON merge patch).
#[utoipa::path(
    tag = "people", operation_id = "updatePerson",
    request_body(content = PersonPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Person id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The person as changed", body = Person, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate national id", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<PersonPatch>,
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

/// Deletes a person entered by mistake (no member or candidate may refer to it).
#[utoipa::path(
    tag = "people", operation_id = "deletePerson",
    params(("id" = String, Path, description = "Person id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still referred to", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_person(
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
