//! HTTP handlers for `/api/v1/worklists/*`.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::*;
use crate::api::pagination::{respond, PageParams};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

const SORT_FIELDS: &[&str] = &["id"];

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Probationary members whose 12 months end on or before `by`.
#[utoipa::path(
    tag = "worklists", operation_id = "listRecognitionDue",
    params(PageParams, RecognitionDueParams),
    responses(
        (status = 200, description = "Members due for recognition", body = inline(Page<Member>),
         headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/recognition-due")]
pub async fn list_recognition_due(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    params: web::Query<RecognitionDueParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let page = PageRequest::parse(&paging, SORT_FIELDS, &params)?;
    let by = params.by.unwrap_or_else(today);
    let result = state
        .read(caller, Right::Read, move |conn, access| {
            recognition_due(conn, access, by, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Official members without a Party card.
#[utoipa::path(
    tag = "worklists", operation_id = "listCardsDue",
    params(PageParams),
    responses(
        (status = 200, description = "Members due a card", body = inline(Page<Member>),
         headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/cards-due")]
pub async fn list_cards_due(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::parse(&paging, SORT_FIELDS, &())?;
    let result = state
        .read(caller, Right::Read, move |conn, access| {
            cards_due(conn, access, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Members reaching a badge milestone in the year who do not hold that badge.
#[utoipa::path(
    tag = "worklists", operation_id = "listBadgesDue",
    params(PageParams, BadgesDueParams),
    responses(
        (status = 200, description = "Members due a badge", body = inline(Page<BadgeDue>),
         headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/badges-due")]
pub async fn list_badges_due(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    params: web::Query<BadgesDueParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let page = PageRequest::parse(&paging, SORT_FIELDS, &params)?;
    let year = params.year;
    let result = state
        .read(caller, Right::Read, move |conn, access| {
            badges_due(conn, access, year, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}

/// Candidates meeting every admission rule on `on`.
#[utoipa::path(
    tag = "worklists", operation_id = "listCandidatesReady",
    params(PageParams, CandidatesReadyParams),
    responses(
        (status = 200, description = "Candidates ready for admission", body = inline(Page<Candidate>),
         headers(("Link" = String, description = "`<…?cursor=…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/candidates-ready")]
pub async fn list_candidates_ready(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    params: web::Query<CandidatesReadyParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let page = PageRequest::parse(&paging, SORT_FIELDS, &params)?;
    let on = params.on.unwrap_or_else(today);
    let result = state
        .read(caller, Right::Read, move |conn, access| {
            candidates_ready(conn, access, on, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}
