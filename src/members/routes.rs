//! HTTP handlers for `/api/v1/members`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::model::*;
use super::store;
use crate::api::pagination::{respond, Page, PageParams, PageRequest};
use crate::api::{self, path_id};
use crate::auth::{Caller, Right};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Lists members in the caller's scope, with their people.
#[utoipa::path(
    tag = "members", operation_id = "listMembers",
    params(PageParams, MemberFilters),
    responses(
        (status = 200, description = "A page of members", body = inline(Page<Member>), headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_members(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<MemberFilters>,
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

/// Reads one member; a full read is recorded in the audit log.
#[utoipa::path(
    tag = "members", operation_id = "getMember",
    params(("id" = String, Path, description = "Member id")),
    responses(
        (status = 200, description = "The member", body = Member, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}")]
pub async fn get_member(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let member = state
        .read_point(caller, Right::Read, move |conn, access| {
            store::read(conn, access, &id)
        })
        .await?;
    Ok(api::resource(&req, member.version, &member))
}

/// Registers an existing member (data migration) or an incoming transfer; new members come through admission.
#[utoipa::path(
    tag = "members", operation_id = "createMember",
    request_body = NewMember,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST safe")),
    responses(
        (status = 201, description = "Registered", body = Member, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Cell, person or mentor not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate member number, card number or national id; person already a member", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule is broken: not_a_cell, organisation_dissolved", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("")]
pub async fn create_member(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewMember>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::register(conn, access, new)
        })
        .await?;
    Ok(api::created(
        format!("/api/v1/members/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes a member's number or mentor (JSON merge patch); everything else changes through the dated actions.
#[utoipa::path(
    tag = "members", operation_id = "updateMember",
    request_body(content = MemberPatch, content_type = "application/merge-patch+json"),
    params(("id" = String, Path, description = "Member id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being changed")),
    responses(
        (status = 200, description = "The member as changed", body = Member, headers(("ETag" = String))),
        (status = 400, description = "Malformed patch", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate member number", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/{id}")]
pub async fn update_member(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<MemberPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let patch = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::update(conn, access, &id, patch, expected)
        })
        .await?;
    Ok(with_etag(view))
}

/// Deletes a member registered by mistake (members otherwise change status, never disappear).
#[utoipa::path(
    tag = "members", operation_id = "deleteMember",
    params(("id" = String, Path, description = "Member id"), ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted")),
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
pub async fn delete_member(
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

/// The member's dated events, oldest first.
#[utoipa::path(
    tag = "members", operation_id = "listMemberEvents",
    params(("id" = String, Path, description = "Member id")),
    responses(
        (status = 200, description = "Every event of the member (one page)", body = inline(Page<MemberEvent>)),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/{id}/events")]
pub async fn list_member_events(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let items = state
        .read(caller, Right::Read, move |conn, access| {
            store::events(conn, access, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
        total: None,
    }))
}

fn with_etag(view: Member) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, api::etag(view.version)))
        .json(view)
}

/// Recognises a probationary member as official: official from admission + 12 months.
#[utoipa::path(
    tag = "members", operation_id = "recogniseMember",
    request_body = RecognitionRequest,
    params(("id" = String, Path, description = "Member id"), ("If-Match" = Option<String>, Header, description = "ETag of the member")),
    responses(
        (status = 200, description = "The member, now official", body = Member),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not_probationary", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "probation_not_over", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/recognition")]
pub async fn recognise_member(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<RecognitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let request = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::recognise(conn, access, &id, request, expected)
        })
        .await?;
    Ok(with_etag(view))
}

/// Issues a Party card, or re-issues one (lost, damaged) keeping the history.
#[utoipa::path(
    tag = "members", operation_id = "issueMemberCard",
    request_body = CardRequest,
    params(("id" = String, Path, description = "Member id"), ("If-Match" = Option<String>, Header, description = "ETag of the member")),
    responses(
        (status = 200, description = "The member with the card", body = Member),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "duplicate_card_number", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_official, dated_before_last_event", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/cards")]
pub async fn issue_member_card(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<CardRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let request = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::issue_card(conn, access, &id, request, expected)
        })
        .await?;
    Ok(with_etag(view))
}

/// Proposes or awards a Party badge for a milestone of membership years.
#[utoipa::path(
    tag = "members", operation_id = "awardMemberBadge",
    request_body = BadgeRequest,
    params(("id" = String, Path, description = "Member id"), ("If-Match" = Option<String>, Header, description = "ETag of the member")),
    responses(
        (status = 200, description = "The member", body = Member),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_milestone, milestone_not_reached, badge_already_awarded, badge_already_proposed, member_not_eligible", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/badges")]
pub async fn award_member_badge(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<BadgeRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let request = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::badge(conn, access, &id, request, expected)
        })
        .await?;
    Ok(with_etag(view))
}

/// Transfers a member to another cell (official or temporary), back, or out of the register.
#[utoipa::path(
    tag = "members", operation_id = "transferMember",
    request_body = TransferRequest,
    params(("id" = String, Path, description = "Member id"), ("If-Match" = Option<String>, Header, description = "ETag of the member")),
    responses(
        (status = 200, description = "The member after the transfer", body = Member),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Member or target cell not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not_a_current_member, not_temporarily_transferred", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not_a_cell, same_cell, temporary_transfer_duration, dated_before_last_event", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/transfers")]
pub async fn transfer_member(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<TransferRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let request = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::transfer(conn, access, &id, request, expected)
        })
        .await?;
    Ok(with_etag(view))
}

/// Changes a member's status: exemption and back, removal, expulsion, resignation, death.
#[utoipa::path(
    tag = "members", operation_id = "changeMemberStatus",
    request_body = StatusRequest,
    params(("id" = String, Path, description = "Member id"), ("If-Match" = Option<String>, Header, description = "ETag of the member")),
    responses(
        (status = 200, description = "The member with the new status", body = Member),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not found or outside scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_status_transition, dated_before_last_event", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/{id}/status")]
pub async fn change_member_status(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<StatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let expected = api::if_match(&req)?;
    let request = body.into_inner();
    let view = state
        .write(caller, Right::Write, move |conn, access| {
            store::change_status(conn, access, &id, request, expected)
        })
        .await?;
    Ok(with_etag(view))
}
