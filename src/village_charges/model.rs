//! Village charge rows, bodies and views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::patch::double_option;
use crate::db::schema::village_charges;

/// A stored village charge, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = village_charges, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct VillageChargeRow {
    pub id: String,
    pub member_id: String,
    pub locality_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// A member's charge of a village.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7901", "member_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01",
    "locality_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b11", "starts_on": "2016-01-15", "ends_on": null,
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct VillageCharge {
    pub id: String,
    pub member_id: String,
    /// The village (or residential group) in charge.
    pub locality_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<VillageChargeRow> for VillageCharge {
    fn from(row: VillageChargeRow) -> Self {
        Self {
            id: row.id,
            member_id: row.member_id,
            locality_id: row.locality_id,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /members/{id}/village-charges`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"locality_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b11", "starts_on": "2016-01-15"}))]
pub struct NewVillageCharge {
    pub locality_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// Body of `PATCH /members/{id}/village-charges/{charge_id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2018-06-30"}))]
pub struct VillageChargePatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub locality_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
}
