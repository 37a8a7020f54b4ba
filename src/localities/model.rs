//! Locality rows, request bodies and JSON views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::localities;
use crate::vocabularies::LocalityKind;

/// A stored locality, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = localities, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct LocalityRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub search_name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub path: String,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl LocalityRow {
    pub fn kind(&self) -> LocalityKind {
        LocalityKind::from_db(&self.kind)
    }
}

/// An administrative locality.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b02",
    "code": "MA-MUONGDANG-POMU",
    "name": "Bản Pơ Mu",
    "kind": "village",
    "parent_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b01",
    "established_on": null,
    "dissolved_on": null,
    "version": 1,
    "created_at": "2026-11-25T03:00:00Z",
    "updated_at": "2026-11-25T03:00:00Z"
}))]
pub struct Locality {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: LocalityKind,
    pub parent_id: Option<String>,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<LocalityRow> for Locality {
    fn from(row: LocalityRow) -> Self {
        Self {
            kind: row.kind(),
            id: row.id,
            code: row.code,
            name: row.name,
            parent_id: row.parent_id,
            established_on: row.established_on,
            dissolved_on: row.dissolved_on,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /localities`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "MA-MUONGDANG-POMU", "name": "Bản Pơ Mu", "kind": "village", "parent_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b01"}))]
pub struct NewLocality {
    pub code: String,
    pub name: String,
    pub kind: LocalityKind,
    pub parent_id: Option<String>,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
}

/// Body of `PATCH /localities/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"dissolved_on": "2025-07-01"}))]
pub struct LocalityPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<LocalityKind>)]
    pub kind: Option<Option<LocalityKind>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub established_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub dissolved_on: Option<Option<NaiveDate>>,
}

/// Filters of `GET /localities`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocalityFilters {
    /// Direct children of this locality.
    pub parent_id: Option<String>,
    /// This locality and its whole subtree.
    pub ancestor_id: Option<String>,
    pub kind: Option<LocalityKind>,
    /// Existing on this date.
    pub active_on: Option<NaiveDate>,
    /// Accent-insensitive text in the name or code.
    #[param(example = "po mu")]
    pub q: Option<String>,
}
