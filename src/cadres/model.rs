//! Cadre and oversight rows, bodies and views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::{cadre_oversights, cadres};
use crate::people::model::{NewPerson, Person};
use crate::vocabularies::{AppointmentKind, CadreCategory};

/// A stored cadre, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = cadres, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CadreRow {
    pub id: String,
    pub person_id: String,
    pub organisation_id: Option<String>,
    pub category: Option<String>,
    pub full_time: bool,
    pub in_planning: bool,
    /// JSON array of position titles.
    pub planned_positions: String,
    pub notes: Option<String>,
    pub search_name: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl CadreRow {
    pub fn planned(&self) -> Vec<String> {
        serde_json::from_str(&self.planned_positions).unwrap_or_default()
    }
}

/// A position a cadre holds today.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"appointment_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7101", "position_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7001",
    "title": "Bí thư Đảng ủy xã", "kind": "elected", "starts_on": "2020-09-01", "ends_on": null}))]
pub struct CurrentAppointment {
    pub appointment_id: String,
    pub position_id: String,
    /// The position's title.
    pub title: String,
    pub kind: Option<AppointmentKind>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// A cadre, with the person and today's appointments embedded.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c6a01", "person_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c02",
    "person": {"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c02", "full_name": "Lò Văn Pọm", "gender": "male",
               "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"},
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a60", "category": "leadership", "full_time": true,
    "in_planning": true, "planned_positions": ["Phó Bí thư Huyện ủy"], "notes": null,
    "current_appointments": [{"appointment_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7101", "position_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7001",
        "title": "Bí thư Đảng ủy xã", "kind": "elected", "starts_on": "2020-09-01", "ends_on": null}],
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"
}))]
pub struct Cadre {
    pub id: String,
    pub person_id: String,
    pub person: Person,
    /// The organisation whose cadre register holds the cadre.
    pub organisation_id: Option<String>,
    pub category: Option<CadreCategory>,
    /// Full-time (chuyên trách); part-time (kiêm chức) when false.
    pub full_time: bool,
    /// In the succession planning (quy hoạch).
    pub in_planning: bool,
    /// Titles the cadre is planned for.
    pub planned_positions: Vec<String>,
    pub notes: Option<String>,
    /// Appointments in force today, with their position titles.
    pub current_appointments: Vec<CurrentAppointment>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Cadre {
    pub fn view(row: CadreRow, person: Person, current: Vec<CurrentAppointment>) -> Self {
        Self {
            planned_positions: row.planned(),
            category: row.category.as_deref().map(CadreCategory::from_db),
            id: row.id,
            person_id: row.person_id,
            person,
            organisation_id: row.organisation_id,
            full_time: row.full_time,
            in_planning: row.in_planning,
            notes: row.notes,
            current_appointments: current,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /cadres`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "person_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c02", "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a60",
    "category": "leadership", "full_time": true, "in_planning": true, "planned_positions": ["Phó Bí thư Huyện ủy"]
}))]
pub struct NewCadre {
    pub person_id: Option<String>,
    pub person: Option<NewPerson>,
    /// Defaults to the caller's scope organisation.
    pub organisation_id: Option<String>,
    pub category: Option<CadreCategory>,
    #[serde(default)]
    pub full_time: bool,
    #[serde(default)]
    pub in_planning: bool,
    #[serde(default)]
    pub planned_positions: Vec<String>,
    pub notes: Option<String>,
}

/// Body of `PATCH /cadres/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"in_planning": true, "planned_positions": ["Chủ tịch UBND xã"]}))]
pub struct CadrePatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub organisation_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<CadreCategory>)]
    pub category: Option<Option<CadreCategory>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub full_time: Option<Option<bool>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub in_planning: Option<Option<bool>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    pub planned_positions: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// Filters of `GET /cadres`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CadreFilters {
    /// Cadres of this organisation's whole subtree.
    pub organisation_id: Option<String>,
    pub category: Option<CadreCategory>,
    pub in_planning: Option<bool>,
    /// Accent-insensitive text in the name.
    pub q: Option<String>,
}

/// A stored oversight, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = cadre_oversights, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct OversightRow {
    pub id: String,
    pub cadre_id: String,
    pub organisation_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// A committee member's assignment to follow a grassroots organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c6b01", "cadre_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c6a01",
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "starts_on": "2020-10-01", "ends_on": null,
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct Oversight {
    pub id: String,
    pub cadre_id: String,
    /// The grassroots organisation followed.
    pub organisation_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OversightRow> for Oversight {
    fn from(row: OversightRow) -> Self {
        Self {
            id: row.id,
            cadre_id: row.cadre_id,
            organisation_id: row.organisation_id,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /cadres/{id}/oversights`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "starts_on": "2020-10-01"}))]
pub struct NewOversight {
    pub organisation_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// Body of `PATCH /cadres/{id}/oversights/{oversight_id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2025-06-30"}))]
pub struct OversightPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub organisation_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
}

/// A cadre following an organisation today (shown on the organisation).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"cadre_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c6a01", "full_name": "Lò Văn Pọm", "starts_on": "2020-10-01"}))]
pub struct Overseer {
    pub cadre_id: String,
    pub full_name: String,
    pub starts_on: NaiveDate,
}
