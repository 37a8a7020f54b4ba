//! Study campaign and participation rows, bodies and views.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::{participations, study_campaigns};

/// A stored campaign, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = study_campaigns, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct StudyCampaignRow {
    pub id: String,
    pub title: String,
    pub search_name: String,
    pub year: i32,
    /// JSON array of document titles.
    pub documents: String,
    pub organisation_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl StudyCampaignRow {
    pub fn documents(&self) -> Vec<String> {
        serde_json::from_str(&self.documents).unwrap_or_default()
    }
}

/// A campaign to study directives and resolutions.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7701", "title": "Học tập, quán triệt Nghị quyết Đại hội XII",
    "year": 2016, "documents": ["Nghị quyết Đại hội đại biểu toàn quốc lần thứ XII"], "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a60",
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct StudyCampaign {
    pub id: String,
    pub title: String,
    pub year: i32,
    /// Titles of the directives and resolutions studied.
    pub documents: Vec<String>,
    /// The organisation running the campaign (scope).
    pub organisation_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<StudyCampaignRow> for StudyCampaign {
    fn from(row: StudyCampaignRow) -> Self {
        Self {
            documents: row.documents(),
            id: row.id,
            title: row.title,
            year: row.year,
            organisation_id: row.organisation_id,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /study-campaigns`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Học tập, quán triệt Nghị quyết Đại hội XII", "year": 2016,
    "documents": ["Nghị quyết Đại hội đại biểu toàn quốc lần thứ XII"]}))]
pub struct NewStudyCampaign {
    pub title: String,
    pub year: i32,
    #[serde(default)]
    pub documents: Vec<String>,
    /// Defaults to the caller's scope organisation.
    pub organisation_id: Option<String>,
}

/// Body of `PATCH /study-campaigns/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"documents": ["Nghị quyết Đại hội XII", "Chỉ thị 05-CT/TW"]}))]
pub struct StudyCampaignPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    pub documents: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub organisation_id: Option<Option<String>>,
}

/// Filters of `GET /study-campaigns`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StudyCampaignFilters {
    pub year: Option<i32>,
    /// Campaigns run within this organisation's whole subtree.
    pub organisation_id: Option<String>,
    /// Accent-insensitive text in the title.
    pub q: Option<String>,
}

/// A stored participation, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = participations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ParticipationRow {
    pub id: String,
    pub campaign_id: String,
    pub organisation_id: String,
    pub held: bool,
    pub members_attended: i32,
    pub masses_invited: i32,
    pub masses_attended: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// How one grassroots organisation took part in a campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7801", "campaign_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7701",
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "held": true, "members_attended": 45,
    "masses_invited": 200, "masses_attended": 172,
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct Participation {
    pub id: String,
    pub campaign_id: String,
    /// A grassroots organisation.
    pub organisation_id: String,
    /// The organisation held the study session.
    pub held: bool,
    pub members_attended: i32,
    pub masses_invited: i32,
    pub masses_attended: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ParticipationRow> for Participation {
    fn from(row: ParticipationRow) -> Self {
        Self {
            id: row.id,
            campaign_id: row.campaign_id,
            organisation_id: row.organisation_id,
            held: row.held,
            members_attended: row.members_attended,
            masses_invited: row.masses_invited,
            masses_attended: row.masses_attended,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /study-campaigns/{id}/participations`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "held": true, "members_attended": 45,
    "masses_invited": 200, "masses_attended": 172}))]
pub struct NewParticipation {
    pub organisation_id: String,
    #[serde(default)]
    pub held: bool,
    #[serde(default)]
    pub members_attended: i32,
    #[serde(default)]
    pub masses_invited: i32,
    #[serde(default)]
    pub masses_attended: i32,
}

/// Body of `PATCH /study-campaigns/{id}/participations/{participation_id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held": true, "members_attended": 47}))]
pub struct ParticipationPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub held: Option<Option<bool>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub members_attended: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub masses_invited: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub masses_attended: Option<Option<i32>>,
}
