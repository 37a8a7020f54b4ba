//! HTTP handlers for `/api/v1/organisations`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Lists organisations in the caller's scope.
#[utoipa::path(
    tag = "organisations",
    operation_id = "listOrganisations",
    params(PageParams, OrganisationFilters),
    responses(
        (status = 200, description = "A page of organisations", body = inline(Page<Organisation>),
         headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Bad filter, sort, limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<OrganisationFilters>,
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

/// Reads one organisation.
#[utoipa::path(
    tag = "organisations",
    operation_id = "getOrganisation",
    params(("id" = String, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation", body = Organisation,
         headers(("ETag" = String, description = "Quoted version"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let view = state
        .read_point(caller, Right::Read, move |conn, access| {
            store::read(conn, access, &id)
        })
        .await?;
    Ok(api::resource(&req, view.version, &view))
}

/// Creates an organisation under a parent whose kind fits (SPEC section 2).
#[utoipa::path(
    tag = "organisations",
    operation_id = "createOrganisation",
    request_body = NewOrganisation,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Organisation,
         headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "parent_id or locality_id names no record you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate code", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule is broken: parent_kind_not_allowed, reference_not_found, parent_required, parent_dissolved", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewOrganisation>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/organisations/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes an organisation (JSON merge patch); moving it keeps its subtree.
#[utoipa::path(
    tag = "organisations",
    operation_id = "updateOrganisation",
    request_body(content = OrganisationPatch, content_type = "application/merge-patch+json"),
    params(
        ("id" = String, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being changed"),
    ),
    responses(
        (status = 200, description = "The organisation as changed", body = Organisation, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate code", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule is broken: cycle, parent_kind_not_allowed, children_kind_conflict", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<OrganisationPatch>,
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

/// Deletes an organisation entered by mistake (it must have no children).
#[utoipa::path(
    tag = "organisations",
    operation_id = "deleteOrganisation",
    params(
        ("id" = String, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It still has children", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/{id}")]
pub async fn delete_organisation(
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

/// The subtree under an organisation, nested.
#[utoipa::path(
    tag = "organisations",
    operation_id = "getOrganisationTree",
    params(("id" = String, Path, description = "Root organisation id")),
    responses(
        (status = 200, description = "The subtree", body = OrganisationNode),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/tree")]
pub async fn get_organisation_tree(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let tree = state
        .read(caller, Right::Read, move |conn, access| {
            store::tree(conn, access, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(tree))
}

/// Merges an organisation into another: its children move and it is dissolved on `on`.
#[utoipa::path(
    tag = "organisations",
    operation_id = "mergeOrganisation",
    request_body = MergeRequest,
    params(
        ("id" = String, Path, description = "The organisation merged away"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe"),
    ),
    responses(
        (status = 200, description = "The dissolved organisation", body = Organisation),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already dissolved", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule is broken: cycle, merge_target_dissolved, merge_kind_mismatch, parent_kind_not_allowed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/merge")]
pub async fn merge_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<MergeRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let request = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::merge(conn, access, &id, request)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
