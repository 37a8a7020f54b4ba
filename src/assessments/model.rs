//! Assessment rows, bodies and views.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::assessments;
use crate::vocabularies::{Rating, SubjectType};

/// A stored assessment, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = assessments, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct AssessmentRow {
    pub id: String,
    pub subject_type: String,
    pub subject_id: String,
    pub organisation_id: String,
    pub year: i32,
    pub rating: String,
    pub points: Option<i32>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// An annual rating of an organisation or member.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7501", "subject_type": "organisation",
    "subject_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61",
    "year": 2016, "rating": "excellent", "rating_label": "Trong sạch vững mạnh", "points": null,
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct Assessment {
    pub id: String,
    pub subject_type: SubjectType,
    pub subject_id: String,
    /// The organisation rated, or the member's home cell when rated.
    pub organisation_id: String,
    pub year: i32,
    pub rating: Rating,
    /// The Vietnamese wording in force that year for that kind of subject.
    pub rating_label: String,
    /// 0–100, from 2025.
    pub points: Option<i32>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AssessmentRow> for Assessment {
    fn from(row: AssessmentRow) -> Self {
        let subject_type = SubjectType::from_db(&row.subject_type);
        let rating = Rating::from_db(&row.rating);
        Self {
            rating_label: rating.label(subject_type, row.year).to_owned(),
            subject_type,
            rating,
            id: row.id,
            subject_id: row.subject_id,
            organisation_id: row.organisation_id,
            year: row.year,
            points: row.points,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /assessments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"subject_type": "member", "subject_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01", "year": 2025, "rating": "good", "points": 82}))]
pub struct NewAssessment {
    pub subject_type: SubjectType,
    pub subject_id: String,
    pub year: i32,
    pub rating: Rating,
    pub points: Option<i32>,
}

/// Body of `PATCH /assessments/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rating": "excellent"}))]
pub struct AssessmentPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Rating>)]
    pub rating: Option<Option<Rating>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub points: Option<Option<i32>>,
}

/// Filters of `GET /assessments`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentFilters {
    /// Subjects rated under this organisation's whole subtree.
    pub organisation_id: Option<String>,
    pub subject_type: Option<SubjectType>,
    pub subject_id: Option<String>,
    pub year: Option<i32>,
    pub rating: Option<Rating>,
}

/// Query of `GET /assessments/summary`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    pub year: i32,
    /// The organisation whose subtree is summed; the caller's scope root when omitted.
    pub organisation_id: Option<String>,
}

/// Counts per rating of one kind of subject.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct RatingCounts {
    pub rated: i64,
    pub excellent: i64,
    pub good: i64,
    pub satisfactory: i64,
    pub unsatisfactory: i64,
    /// `excellent` exceeds 20% of `good` (from 2018).
    pub excellent_quota_exceeded: bool,
}

/// The ratings of a year under one organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"year": 2018, "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a60",
    "organisations": {"rated": 49, "excellent": 8, "good": 38, "satisfactory": 3, "unsatisfactory": 0, "excellent_quota_exceeded": true},
    "members": {"rated": 2000, "excellent": 300, "good": 1600, "satisfactory": 90, "unsatisfactory": 10, "excellent_quota_exceeded": false},
    "excellent_quota_exceeded": true}))]
pub struct AssessmentSummary {
    pub year: i32,
    /// `null` for an unscoped caller summing every organisation.
    pub organisation_id: Option<String>,
    pub organisations: RatingCounts,
    pub members: RatingCounts,
    /// Either kind of subject exceeds the 20% cap (QĐ 132-QĐ/TW 2018; always false before 2018).
    pub excellent_quota_exceeded: bool,
}
