//! Rotation rows, bodies and views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::rotations;
use crate::vocabularies::{RotationKind, RotationPurpose, RotationStatus};

/// A stored rotation, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = rotations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct RotationRow {
    pub id: String,
    pub cadre_id: String,
    pub kind: String,
    pub purpose: Option<String>,
    pub from_position_id: Option<String>,
    pub to_position_id: Option<String>,
    pub to_organisation_id: Option<String>,
    pub decision_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub starts_on: NaiveDate,
    pub planned_ends_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub status: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl RotationRow {
    pub fn status(&self) -> RotationStatus {
        RotationStatus::from_db(&self.status)
    }
}

/// A movement of a cadre.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7201", "cadre_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c6a01",
    "kind": "rotation", "purpose": "grassroots_reinforcement", "from_position_id": null,
    "to_position_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7001", "to_organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61",
    "decision_number": "120-QĐ/HU", "decided_on": "2016-03-01", "starts_on": "2016-04-01", "planned_ends_on": "2019-04-01",
    "ended_on": null, "status": "active", "version": 2, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct Rotation {
    pub id: String,
    pub cadre_id: String,
    pub kind: RotationKind,
    pub purpose: Option<RotationPurpose>,
    pub from_position_id: Option<String>,
    pub to_position_id: Option<String>,
    pub to_organisation_id: Option<String>,
    pub decision_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub starts_on: NaiveDate,
    pub planned_ends_on: Option<NaiveDate>,
    /// Set when the rotation is completed.
    pub ended_on: Option<NaiveDate>,
    pub status: RotationStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<RotationRow> for Rotation {
    fn from(row: RotationRow) -> Self {
        Self {
            kind: RotationKind::from_db(&row.kind),
            purpose: row.purpose.as_deref().map(RotationPurpose::from_db),
            status: row.status(),
            id: row.id,
            cadre_id: row.cadre_id,
            from_position_id: row.from_position_id,
            to_position_id: row.to_position_id,
            to_organisation_id: row.to_organisation_id,
            decision_number: row.decision_number,
            decided_on: row.decided_on,
            starts_on: row.starts_on,
            planned_ends_on: row.planned_ends_on,
            ended_on: row.ended_on,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /rotations`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cadre_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c6a01", "kind": "rotation", "purpose": "grassroots_reinforcement",
    "to_organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "decision_number": "120-QĐ/HU", "decided_on": "2016-03-01",
    "starts_on": "2016-04-01", "planned_ends_on": "2019-04-01"}))]
pub struct NewRotation {
    pub cadre_id: String,
    pub kind: RotationKind,
    pub purpose: Option<RotationPurpose>,
    pub from_position_id: Option<String>,
    pub to_position_id: Option<String>,
    pub to_organisation_id: Option<String>,
    pub decision_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub starts_on: NaiveDate,
    pub planned_ends_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    /// `planned` by default; past movements may be entered `active`, `completed` or `cancelled`.
    pub status: Option<RotationStatus>,
}

/// Body of `PATCH /rotations/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "completed", "ended_on": "2019-04-01"}))]
pub struct RotationPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<RotationKind>)]
    pub kind: Option<Option<RotationKind>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<RotationPurpose>)]
    pub purpose: Option<Option<RotationPurpose>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub from_position_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub to_position_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub to_organisation_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub decision_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub decided_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_ends_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ended_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<RotationStatus>)]
    pub status: Option<Option<RotationStatus>>,
}

/// Filters of `GET /rotations`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RotationFilters {
    pub cadre_id: Option<String>,
    pub kind: Option<RotationKind>,
    pub status: Option<RotationStatus>,
    /// Starting on or after this day.
    pub starts_from: Option<NaiveDate>,
    /// Starting on or before this day.
    pub starts_to: Option<NaiveDate>,
}
