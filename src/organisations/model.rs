//! Organisation rows, request bodies and JSON views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::organisations;
use crate::vocabularies::OrganisationKind;

/// A stored organisation, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = organisations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct OrganisationRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub search_name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub path: String,
    pub locality_id: Option<String>,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    pub merged_into_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl OrganisationRow {
    pub fn kind(&self) -> OrganisationKind {
        OrganisationKind::from_db(&self.kind)
    }
}

/// A Party organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61",
    "code": "MA-XA-MUONGDANG",
    "name": "Đảng bộ xã Mường Đăng",
    "kind": "grassroots_committee",
    "parent_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a60",
    "locality_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b01",
    "established_on": "1990-03-02",
    "dissolved_on": null,
    "merged_into_id": null,
    "member_count": 0,
    "official_member_count": 0,
    "below_minimum": false,
    "should_become_committee": false,
    "version": 1,
    "created_at": "2026-11-25T03:00:00Z",
    "updated_at": "2026-11-25T03:00:00Z"
}))]
pub struct Organisation {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub parent_id: Option<String>,
    /// The area it is based in (for a village cell, the village).
    pub locality_id: Option<String>,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    /// Set when the organisation was merged into another.
    pub merged_into_id: Option<String>,
    /// Members counted in this cell now (probationary, official, exempt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i64>,
    /// Official members of this cell now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub official_member_count: Option<i64>,
    /// A cell with fewer than 3 official members (it should attach to another organisation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below_minimum: Option<bool>,
    /// A grassroots cell with 30 members or more (it should become a grassroots committee).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub should_become_committee: Option<bool>,
    /// Committee members following and helping this organisation now (on a single read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_overseers: Option<Vec<crate::cadres::model::Overseer>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrganisationRow> for Organisation {
    fn from(row: OrganisationRow) -> Self {
        Self {
            kind: row.kind(),
            id: row.id,
            code: row.code,
            name: row.name,
            parent_id: row.parent_id,
            locality_id: row.locality_id,
            established_on: row.established_on,
            dissolved_on: row.dissolved_on,
            merged_into_id: row.merged_into_id,
            member_count: None,
            official_member_count: None,
            below_minimum: None,
            should_become_committee: None,
            current_overseers: None,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /organisations`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "MA-XA-MUONGDANG",
    "name": "Đảng bộ xã Mường Đăng",
    "kind": "grassroots_committee",
    "parent_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a60",
    "established_on": "1990-03-02"
}))]
pub struct NewOrganisation {
    pub code: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub parent_id: Option<String>,
    pub locality_id: Option<String>,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
}

/// Body of `PATCH /organisations/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Đảng bộ xã Mường Đăng (mới)", "dissolved_on": null}))]
pub struct OrganisationPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<OrganisationKind>)]
    pub kind: Option<Option<OrganisationKind>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub locality_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub established_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub dissolved_on: Option<Option<NaiveDate>>,
}

/// Filters of `GET /organisations`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationFilters {
    /// Direct children of this organisation.
    pub parent_id: Option<String>,
    /// This organisation and its whole subtree.
    pub ancestor_id: Option<String>,
    pub kind: Option<OrganisationKind>,
    /// Active on this date (established on or before, not yet dissolved).
    pub active_on: Option<NaiveDate>,
    /// Accent-insensitive text in the name or code.
    #[param(example = "muong dang")]
    pub q: Option<String>,
}

/// Body of `POST /organisations/{id}/merge`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"into_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a62", "on": "2025-07-01", "decision_number": "1234-QĐ/TU"}))]
pub struct MergeRequest {
    /// The organisation that takes over children and members.
    pub into_id: String,
    /// The day of the merger: the merged organisation is dissolved from this day.
    pub on: NaiveDate,
    pub decision_number: Option<String>,
}

/// One organisation of `/organisations/{id}/tree`, with its children.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a62", "code": "MA-MD", "name": "Đảng bộ xã Mường Đăng",
    "kind": "grassroots_committee", "established_on": "1997-05-01", "dissolved_on": null, "member_count": 0, "total_member_count": 24,
    "children": [{"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63", "code": "MA-MD-POMU", "name": "Chi bộ bản Pọng",
        "kind": "subordinate_cell", "established_on": "1997-05-01", "dissolved_on": null, "member_count": 24, "total_member_count": 24, "children": []}]}))]
pub struct OrganisationNode {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
    /// Members counted directly in this organisation (cells only).
    pub member_count: i64,
    /// Members counted in the whole subtree.
    pub total_member_count: i64,
    #[schema(no_recursion)]
    pub children: Vec<OrganisationNode>,
}
