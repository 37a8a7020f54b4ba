//! Position rows, bodies and views.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::positions;
use crate::vocabularies::PositionBody;

/// A stored position, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = positions, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PositionRow {
    pub id: String,
    pub title: String,
    pub search_name: String,
    pub body: String,
    pub organisation_id: Option<String>,
    pub locality_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// A leadership or management position.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7001", "title": "Bí thư Đảng ủy xã", "body": "party",
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "locality_id": null,
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct Position {
    pub id: String,
    pub title: String,
    pub body: PositionBody,
    /// The organisation the position belongs to (scope).
    pub organisation_id: Option<String>,
    pub locality_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<PositionRow> for Position {
    fn from(row: PositionRow) -> Self {
        Self {
            body: PositionBody::from_db(&row.body),
            id: row.id,
            title: row.title,
            organisation_id: row.organisation_id,
            locality_id: row.locality_id,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /positions`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Bí thư Đảng ủy xã", "body": "party", "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61"}))]
pub struct NewPosition {
    pub title: String,
    pub body: PositionBody,
    /// Defaults to the caller's scope organisation.
    pub organisation_id: Option<String>,
    pub locality_id: Option<String>,
}

/// Body of `PATCH /positions/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Phó Bí thư Đảng ủy xã"}))]
pub struct PositionPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<PositionBody>)]
    pub body: Option<Option<PositionBody>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub organisation_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub locality_id: Option<Option<String>>,
}

/// Filters of `GET /positions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PositionFilters {
    /// Positions of this organisation's whole subtree.
    pub organisation_id: Option<String>,
    pub body: Option<PositionBody>,
    /// Accent-insensitive text in the title.
    pub q: Option<String>,
}
