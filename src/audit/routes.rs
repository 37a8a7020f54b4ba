//! `GET /api/v1/audit-events`: who changed what, and when.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::pagination::{key, respond, After, Page, PageParams, PageRequest};
use crate::auth::{Access, Caller, Right};
use crate::db::schema::audit_events as a;
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, Problem};
use crate::keyset;
use crate::state::AppState;

#[derive(Debug, Clone, Queryable)]
struct AuditRow {
    id: String,
    at: NaiveDateTime,
    actor_type: String,
    actor_id: Option<String>,
    actor_name: Option<String>,
    action: String,
    resource_type: String,
    resource_id: Option<String>,
    _organisation_path: Option<String>,
    request_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// One audited action.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a70", "at": "2026-11-25T03:00:00Z",
    "actor_type": "user", "actor_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "actor_name": "admin",
    "action": "update", "resource_type": "organisation", "resource_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a62",
    "request_id": "3f2c1b7e", "before": {"name": "Chi bộ bản Hón"}, "after": {"name": "Chi bộ bản Hón 1"}
}))]
pub struct AuditEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    /// `user`, `client` or `system`.
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// `create`, `update`, `delete`, `read`, or a domain action such as `merge`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub request_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Box<serde_json::value::RawValue>>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Box<serde_json::value::RawValue>>,
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            at: row.at.and_utc(),
            actor_type: row.actor_type,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id,
            request_id: row.request_id,
            before: super::stored_image(row.before_json),
            after: super::stored_image(row.after_json),
        }
    }
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    #[param(example = "organisation")]
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub actor_id: Option<String>,
    #[param(example = "update")]
    pub action: Option<String>,
    /// Events at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub to: Option<DateTime<Utc>>,
}

const SORT_FIELDS: &[&str] = &["id"];

fn filtered(access: &Access, filters: &AuditFilters) -> a::BoxedQuery<'static, DbBackend> {
    let mut query = a::table.into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query
            .filter(a::organisation_path.ge(lo))
            .filter(a::organisation_path.lt(hi));
    }
    if let Some(v) = &filters.resource_type {
        query = query.filter(a::resource_type.eq(v.clone()));
    }
    if let Some(v) = &filters.resource_id {
        query = query.filter(a::resource_id.eq(v.clone()));
    }
    if let Some(v) = &filters.actor_id {
        query = query.filter(a::actor_id.eq(v.clone()));
    }
    if let Some(v) = &filters.action {
        query = query.filter(a::action.eq(v.clone()));
    }
    if let Some(v) = filters.from {
        query = query.filter(a::at.ge(v.naive_utc()));
    }
    if let Some(v) = filters.to {
        query = query.filter(a::at.lt(v.naive_utc()));
    }
    query
}

fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &AuditFilters,
    page: &PageRequest,
) -> ApiResult<Page<AuditEvent>> {
    let query = keyset!(filtered(access, filters), page, a::id, a::id, key::text);
    let rows: Vec<AuditRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(access, filters).count().get_result(conn)?)
    } else {
        None
    };
    Ok(page.page(
        rows,
        |r| After {
            key: r.id.clone(),
            id: r.id.clone(),
        },
        AuditEvent::from,
        total,
    ))
}

/// Lists audit events in the caller's scope, oldest first (`sort=-id` for newest first).
#[utoipa::path(
    tag = "audit",
    operation_id = "listAuditEvents",
    params(PageParams, AuditFilters),
    responses(
        (status = 200, description = "A page of audit events", body = inline(Page<AuditEvent>),
         headers(("Link" = String, description = "Next page"))),
        (status = 400, description = "Bad filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not read the audit log", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    paging: web::Query<PageParams>,
    filters: web::Query<AuditFilters>,
) -> Result<HttpResponse, ApiError> {
    let filters = filters.into_inner();
    let page = PageRequest::parse(&paging, SORT_FIELDS, &filters)?;
    let result = state
        .read(caller, Right::ReadAudit, move |conn, access| {
            list(conn, access, &filters, &page)
        })
        .await?;
    Ok(respond(&req, &result))
}
