//! HTTP handlers for `/api/v1/members/{id}/village-charges`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Lists the villages a member is (or was) in charge of.
#[utoipa::path(
    tag = "members", operation_id = "listVillageCharges",
    params(("id" = String, Path, description = "Member id"), PageParams),
    responses(
        (status = 200, description = "A page of village charges", body = inline(Page<VillageCharge>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Member not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/village-charges")]
pub async fn list_village_charges(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    paging: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let page = PageRequest::parse(&paging, store::SORT_FIELDS, &id)?;
    let result = state
        .read(caller, Right::Read, move |conn, access| {
            store::list_charges(conn, access, &id, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Puts a member in charge of a village without members or without a cell, to build a cell there.
#[utoipa::path(
    tag = "members", operation_id = "createVillageCharge",
    request_body = NewVillageCharge,
    params(("id" = String, Path, description = "Member id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = VillageCharge, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body, ends_before_starts", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Member or locality not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_a_village", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/village-charges")]
pub async fn create_village_charge(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NewVillageCharge>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create_charge(conn, access, &id, new)
        })
        .await?;
    Ok(api::created(
        format!(
            "/api/v1/members/{}/village-charges/{}",
            view.member_id, view.id
        ),
        view.version,
        &view,
    ))
}

/// Reads one village charge.
#[utoipa::path(
    tag = "members", operation_id = "getVillageCharge",
    params(("id" = String, Path, description = "Member id"), ("charge_id" = String, Path, description = "Village charge id")),
    responses(
        (status = 200, description = "The village charge", body = VillageCharge, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/village-charges/{charge_id}")]
pub async fn get_village_charge(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, charge_id) = path.into_inner();
    let (id, charge_id) = (path_id(&id)?, path_id(&charge_id)?);
    let view = VillageCharge::from(
        state
            .read(caller, Right::Read, move |conn, access| {
                store::find_charge(conn, access, &id, &charge_id)
            })
            .await?,
    );
    Ok(api::resource(&req, view.version, &view))
}

/// Changes a village charge (JSON merge patch), e.g. to end it.
#[utoipa::path(
    tag = "members", operation_id = "updateVillageCharge",
    request_body(content = VillageChargePatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Member id"), ("charge_id" = String, Path, description = "Village charge id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The village charge as changed", body = VillageCharge, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch, ends_before_starts", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_a_village", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}/village-charges/{charge_id}")]
pub async fn update_village_charge(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<VillageChargePatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, charge_id) = path.into_inner();
    let (id, charge_id) = (path_id(&id)?, path_id(&charge_id)?);
    let expected = api::if_match(&req)?;
    let patch = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::update_charge(conn, access, &id, &charge_id, patch, expected)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, api::etag(view.version)))
        .json(view))
}

/// Deletes a village charge entered by mistake.
#[utoipa::path(
    tag = "members", operation_id = "deleteVillageCharge",
    params(("id" = String, Path, description = "Member id"), ("charge_id" = String, Path, description = "Village charge id"),
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
#[delete("/{id}/village-charges/{charge_id}")]
pub async fn delete_village_charge(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, charge_id) = path.into_inner();
    let (id, charge_id) = (path_id(&id)?, path_id(&charge_id)?);
    let expected = api::if_match(&req)?;
    state
        .write(caller, Right::Write, move |conn, access| {
            store::delete_charge(conn, access, &id, &charge_id, expected)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
