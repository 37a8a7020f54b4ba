//! Candidate rows, bodies and views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::candidates;
use crate::people::model::{NewPerson, Person};
use crate::vocabularies::{CandidateSource, CandidateStage};

/// A stored candidate, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = candidates, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CandidateRow {
    pub id: String,
    pub person_id: String,
    pub organisation_id: String,
    pub source: String,
    pub identified_on: NaiveDate,
    pub mentor_member_id: Option<String>,
    /// JSON array of member ids.
    pub introducer_member_ids: String,
    pub youth_union_introduction: bool,
    pub awareness_class_completed_on: Option<NaiveDate>,
    pub education_upgrade_required: bool,
    pub education_upgrade_enrolled_on: Option<NaiveDate>,
    pub education_upgrade_completed_on: Option<NaiveDate>,
    pub stage: String,
    pub member_id: Option<String>,
    pub search_name: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl CandidateRow {
    pub fn stage(&self) -> CandidateStage {
        CandidateStage::from_db(&self.stage)
    }

    pub fn introducers(&self) -> Vec<String> {
        serde_json::from_str(&self.introducer_member_ids).unwrap_or_default()
    }
}

/// Sending a candidate to a continuing-education centre before admission.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"required": true, "enrolled_on": "2015-09-05", "completed_on": "2016-05-30"}))]
pub struct EducationUpgrade {
    #[serde(default)]
    pub required: bool,
    pub enrolled_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
}

/// A candidate, with the person embedded.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5f01", "person_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c02",
    "person": {"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c02", "full_name": "Quàng Văn Dũng", "gender": "male",
               "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"},
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63", "source": "militia", "identified_on": "2015-03-01",
    "mentor_member_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01",
    "introducer_member_ids": ["0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01", "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d02"],
    "youth_union_introduction": false, "awareness_class_completed_on": "2015-10-01",
    "education_upgrade": {"required": false, "enrolled_on": null, "completed_on": null},
    "stage": "ready", "member_id": null, "version": 2,
    "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"
}))]
pub struct Candidate {
    pub id: String,
    pub person_id: String,
    pub person: Person,
    /// The cell developing the candidate.
    pub organisation_id: String,
    pub source: CandidateSource,
    pub identified_on: NaiveDate,
    pub mentor_member_id: Option<String>,
    pub introducer_member_ids: Vec<String>,
    /// The Youth Union's resolution introduces the candidate (one member introducer then suffices).
    pub youth_union_introduction: bool,
    pub awareness_class_completed_on: Option<NaiveDate>,
    pub education_upgrade: EducationUpgrade,
    pub stage: CandidateStage,
    /// The member record, once admitted.
    pub member_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Candidate {
    pub fn view(row: CandidateRow, person: Person) -> Self {
        Self {
            introducer_member_ids: row.introducers(),
            stage: row.stage(),
            source: CandidateSource::from_db(&row.source),
            education_upgrade: EducationUpgrade {
                required: row.education_upgrade_required,
                enrolled_on: row.education_upgrade_enrolled_on,
                completed_on: row.education_upgrade_completed_on,
            },
            id: row.id,
            person_id: row.person_id,
            person,
            organisation_id: row.organisation_id,
            identified_on: row.identified_on,
            mentor_member_id: row.mentor_member_id,
            youth_union_introduction: row.youth_union_introduction,
            awareness_class_completed_on: row.awareness_class_completed_on,
            member_id: row.member_id,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /candidates`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "person": {"full_name": "Quàng Văn Dũng", "gender": "male", "date_of_birth": "1994-08-20", "ethnicity": "thai", "general_education": 9},
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63", "source": "militia", "identified_on": "2015-03-01",
    "mentor_member_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01"
}))]
pub struct NewCandidate {
    pub person_id: Option<String>,
    pub person: Option<NewPerson>,
    pub organisation_id: String,
    pub source: CandidateSource,
    pub identified_on: NaiveDate,
    pub mentor_member_id: Option<String>,
    #[serde(default)]
    pub introducer_member_ids: Vec<String>,
    #[serde(default)]
    pub youth_union_introduction: bool,
    pub awareness_class_completed_on: Option<NaiveDate>,
    pub education_upgrade: Option<EducationUpgrade>,
    /// `identified` (default), `preparing` or `ready`.
    pub stage: Option<CandidateStage>,
}

/// Body of `PATCH /candidates/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"awareness_class_completed_on": "2015-10-01", "stage": "ready"}))]
pub struct CandidatePatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub organisation_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<CandidateSource>)]
    pub source: Option<Option<CandidateSource>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub identified_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub mentor_member_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<String>>)]
    pub introducer_member_ids: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub youth_union_introduction: Option<Option<bool>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub awareness_class_completed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<EducationUpgrade>)]
    pub education_upgrade: Option<Option<EducationUpgrade>>,
    /// `identified`, `preparing`, `ready` or `dropped`; `admitted` comes only through admission.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<CandidateStage>)]
    pub stage: Option<Option<CandidateStage>>,
}

/// Filters of `GET /candidates`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidateFilters {
    /// Candidates of this organisation's whole subtree.
    pub organisation_id: Option<String>,
    pub stage: Option<CandidateStage>,
    pub source: Option<CandidateSource>,
    /// Accent-insensitive text in the name.
    pub q: Option<String>,
}

/// Body of `POST /candidates/{id}/admission`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"admitted_on": "2016-05-19", "decision_number": "102-QĐ/HU", "member_number": "DB-2016-0152"}))]
pub struct AdmissionRequest {
    pub admitted_on: NaiveDate,
    pub decision_number: Option<String>,
    pub member_number: Option<String>,
    /// Over 60: approved by a committee directly under the Centre.
    #[serde(default)]
    pub age_exception_approved: bool,
    /// Below grade 9 in mountain and ethnic-minority areas.
    #[serde(default)]
    pub education_exception: bool,
}
