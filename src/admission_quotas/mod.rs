//! Admission quotas (chỉ tiêu kết nạp): the target of new members per
//! organisation and year, against which the annual report measures
//! admissions.

pub mod routes;
pub mod store;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::admission_quotas;

/// A stored quota, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = admission_quotas, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct QuotaRow {
    pub id: String,
    pub organisation_id: String,
    pub year: i32,
    pub target: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// An admission quota.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c6001", "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61",
    "year": 2016, "target": 120, "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct Quota {
    pub id: String,
    pub organisation_id: String,
    pub year: i32,
    /// New members to admit that year.
    pub target: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<QuotaRow> for Quota {
    fn from(row: QuotaRow) -> Self {
        Self {
            id: row.id,
            organisation_id: row.organisation_id,
            year: row.year,
            target: row.target,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /admission-quotas`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "year": 2016, "target": 120}))]
pub struct NewQuota {
    pub organisation_id: String,
    pub year: i32,
    pub target: i32,
}

/// Body of `PATCH /admission-quotas/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target": 130}))]
pub struct QuotaPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub target: Option<Option<i32>>,
}

/// Filters of `GET /admission-quotas`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuotaFilters {
    /// Quotas of this organisation's whole subtree.
    pub organisation_id: Option<String>,
    pub year: Option<i32>,
}
