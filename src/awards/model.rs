//! Award rows, bodies and views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::awards;
use crate::vocabularies::{AwardForm, SubjectType};

/// A stored award, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = awards, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct AwardRow {
    pub id: String,
    pub recipient_type: String,
    pub recipient_id: String,
    pub organisation_id: String,
    pub year: i32,
    pub form: String,
    pub issuer: Option<String>,
    pub decision_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// An award to an organisation or member.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7601", "recipient_type": "organisation",
    "recipient_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61",
    "year": 2016, "form": "certificate_of_merit", "issuer": "Huyện ủy Mường Ảng", "decision_number": "210-QĐ/HU",
    "decided_on": "2017-01-20", "reason": "Trong sạch vững mạnh tiêu biểu 2016",
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct Award {
    pub id: String,
    pub recipient_type: SubjectType,
    pub recipient_id: String,
    /// The organisation awarded, or the member's home cell when awarded.
    pub organisation_id: String,
    pub year: i32,
    pub form: AwardForm,
    pub issuer: Option<String>,
    pub decision_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AwardRow> for Award {
    fn from(row: AwardRow) -> Self {
        Self {
            recipient_type: SubjectType::from_db(&row.recipient_type),
            form: AwardForm::from_db(&row.form),
            id: row.id,
            recipient_id: row.recipient_id,
            organisation_id: row.organisation_id,
            year: row.year,
            issuer: row.issuer,
            decision_number: row.decision_number,
            decided_on: row.decided_on,
            reason: row.reason,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /awards`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"recipient_type": "organisation", "recipient_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61",
    "year": 2016, "form": "certificate_of_merit", "issuer": "Huyện ủy Mường Ảng", "decision_number": "210-QĐ/HU", "decided_on": "2017-01-20"}))]
pub struct NewAward {
    pub recipient_type: SubjectType,
    pub recipient_id: String,
    pub year: i32,
    pub form: AwardForm,
    pub issuer: Option<String>,
    pub decision_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// Body of `PATCH /awards/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"form": "merit", "issuer": "Tỉnh ủy Điện Biên"}))]
pub struct AwardPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<AwardForm>)]
    pub form: Option<Option<AwardForm>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub issuer: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub decision_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub decided_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub reason: Option<Option<String>>,
}

/// Filters of `GET /awards`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AwardFilters {
    pub year: Option<i32>,
    pub recipient_type: Option<SubjectType>,
    /// Awards of recipients under this organisation's whole subtree.
    pub organisation_id: Option<String>,
}
