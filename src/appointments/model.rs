//! Appointment rows, bodies and views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::appointments;
use crate::vocabularies::AppointmentKind;

/// A stored appointment, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = appointments, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct AppointmentRow {
    pub id: String,
    pub cadre_id: String,
    pub position_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub kind: Option<String>,
    pub decision_number: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// A cadre's term in a position.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7101", "cadre_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c6a01",
    "position_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7001", "starts_on": "2020-09-01", "ends_on": null, "kind": "elected",
    "decision_number": "15-QĐ/HU", "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct Appointment {
    pub id: String,
    pub cadre_id: String,
    pub position_id: String,
    pub starts_on: NaiveDate,
    /// The day the term ends (no longer held from that day); `null` while open.
    pub ends_on: Option<NaiveDate>,
    pub kind: Option<AppointmentKind>,
    pub decision_number: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AppointmentRow> for Appointment {
    fn from(row: AppointmentRow) -> Self {
        Self {
            kind: row.kind.as_deref().map(AppointmentKind::from_db),
            id: row.id,
            cadre_id: row.cadre_id,
            position_id: row.position_id,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            decision_number: row.decision_number,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /appointments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cadre_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c6a01", "position_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7001",
    "starts_on": "2020-09-01", "kind": "elected", "decision_number": "15-QĐ/HU"}))]
pub struct NewAppointment {
    pub cadre_id: String,
    pub position_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub kind: Option<AppointmentKind>,
    pub decision_number: Option<String>,
}

/// Body of `PATCH /appointments/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2025-07-01"}))]
pub struct AppointmentPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub position_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<AppointmentKind>)]
    pub kind: Option<Option<AppointmentKind>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub decision_number: Option<Option<String>>,
}

/// Filters of `GET /appointments`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentFilters {
    pub cadre_id: Option<String>,
    pub position_id: Option<String>,
    /// Appointments to positions of this organisation's whole subtree.
    pub organisation_id: Option<String>,
    /// Starting on or after this day.
    pub starts_from: Option<NaiveDate>,
    /// Starting on or before this day.
    pub starts_to: Option<NaiveDate>,
}
