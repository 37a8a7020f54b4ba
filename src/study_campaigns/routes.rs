//! HTTP handlers for `/api/v1/study-campaigns`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Lists study campaigns run in the caller's scope.
#[utoipa::path(
    tag = "study-campaigns", operation_id = "listStudyCampaigns",
    params(PageParams, StudyCampaignFilters),
    responses(
        (status = 200, description = "A page of study campaigns", body = inline(Page<StudyCampaign>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_study_campaigns(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<StudyCampaignFilters>,
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

/// Reads one study campaign.
#[utoipa::path(
    tag = "study-campaigns", operation_id = "getStudyCampaign",
    params(("id" = String, Path, description = "Study campaign id")),
    responses(
        (status = 200, description = "The study campaign", body = StudyCampaign, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_study_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let view = StudyCampaign::from(
        state
            .read(caller, Right::Read, move |conn, access| {
                store::find(conn, access, &id)
            })
            .await?,
    );
    Ok(api::resource(&req, view.version, &view))
}

/// Creates a campaign to study directives and resolutions.
#[utoipa::path(
    tag = "study-campaigns", operation_id = "createStudyCampaign",
    request_body = NewStudyCampaign,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = StudyCampaign, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_study_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewStudyCampaign>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/study-campaigns/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes a study campaign (JSON merge patch).
#[utoipa::path(
    tag = "study-campaigns", operation_id = "updateStudyCampaign",
    request_body(content = StudyCampaignPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Study campaign id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The study campaign as changed", body = StudyCampaign, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope, or a referenced record not found", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_study_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<StudyCampaignPatch>,
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

/// Deletes a study campaign entered by mistake.
#[utoipa::path(
    tag = "study-campaigns", operation_id = "deleteStudyCampaign",
    params(("id" = String, Path, description = "Study campaign id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
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
pub async fn delete_study_campaign(
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

/// Lists the participations of grassroots organisations in a campaign.
#[utoipa::path(
    tag = "study-campaigns", operation_id = "listParticipations",
    params(("id" = String, Path, description = "Study campaign id"), PageParams),
    responses(
        (status = 200, description = "A page of participations", body = inline(Page<Participation>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Study campaign not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/participations")]
pub async fn list_participations(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    paging: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let page = PageRequest::parse(&paging, store::PARTICIPATION_SORT_FIELDS, &id)?;
    let result = state
        .read(caller, Right::Read, move |conn, access| {
            store::list_participations(conn, access, &id, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Records how a grassroots organisation took part in a campaign (once per campaign and organisation).
#[utoipa::path(
    tag = "study-campaigns", operation_id = "createParticipation",
    request_body = NewParticipation,
    params(("id" = String, Path, description = "Study campaign id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Created", body = Participation, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body, negative count", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Campaign or organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_participation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_grassroots, attended_exceeds_invited", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/participations")]
pub async fn create_participation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NewParticipation>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::create_participation(conn, access, &id, new)
        })
        .await?;
    Ok(api::created(
        format!(
            "/api/v1/study-campaigns/{}/participations/{}",
            view.campaign_id, view.id
        ),
        view.version,
        &view,
    ))
}

/// Reads one participation.
#[utoipa::path(
    tag = "study-campaigns", operation_id = "getParticipation",
    params(("id" = String, Path, description = "Study campaign id"), ("participation_id" = String, Path, description = "Participation id")),
    responses(
        (status = 200, description = "The participation", body = Participation, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/participations/{participation_id}")]
pub async fn get_participation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, participation_id) = path.into_inner();
    let (id, participation_id) = (path_id(&id)?, path_id(&participation_id)?);
    let view = Participation::from(
        state
            .read(caller, Right::Read, move |conn, access| {
                store::find_participation(conn, access, &id, &participation_id)
            })
            .await?,
    );
    Ok(api::resource(&req, view.version, &view))
}

/// Changes a participation (JSON merge patch).
#[utoipa::path(
    tag = "study-campaigns", operation_id = "updateParticipation",
    request_body(content = ParticipationPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Study campaign id"), ("participation_id" = String, Path, description = "Participation id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The participation as changed", body = Participation, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch, negative count", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_grassroots, attended_exceeds_invited", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}/participations/{participation_id}")]
pub async fn update_participation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<ParticipationPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, participation_id) = path.into_inner();
    let (id, participation_id) = (path_id(&id)?, path_id(&participation_id)?);
    let expected = api::if_match(&req)?;
    let patch = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::update_participation(conn, access, &id, &participation_id, patch, expected)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, api::etag(view.version)))
        .json(view))
}

/// Deletes a participation entered by mistake.
#[utoipa::path(
    tag = "study-campaigns", operation_id = "deleteParticipation",
    params(("id" = String, Path, description = "Study campaign id"), ("participation_id" = String, Path, description = "Participation id"),
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
#[delete("/{id}/participations/{participation_id}")]
pub async fn delete_participation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, participation_id) = path.into_inner();
    let (id, participation_id) = (path_id(&id)?, path_id(&participation_id)?);
    let expected = api::if_match(&req)?;
    state
        .write(caller, Right::Write, move |conn, access| {
            store::delete_participation(conn, access, &id, &participation_id, expected)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
