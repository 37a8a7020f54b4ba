//! Training class and enrolment rows, bodies and views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::{enrolments, training_classes};
use crate::vocabularies::{EnrolmentStatus, TrainingClassKind};

/// A stored training class, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = training_classes, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct TrainingClassRow {
    pub id: String,
    pub code: String,
    pub title: String,
    pub search_name: String,
    pub kind: String,
    pub organiser_organisation_id: String,
    pub provider: Option<String>,
    pub venue: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub capacity: Option<i32>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl TrainingClassRow {
    pub fn kind(&self) -> TrainingClassKind {
        TrainingClassKind::from_db(&self.kind)
    }
}

/// A training class.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7301", "code": "NTVD-2016-01",
    "title": "Lớp bồi dưỡng nhận thức về Đảng khóa 1/2016", "kind": "party_awareness",
    "organiser_organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a60", "provider": "Trung tâm Bồi dưỡng chính trị huyện",
    "venue": "Mường Ảng", "starts_on": "2016-03-14", "ends_on": "2016-03-18", "capacity": 120,
    "version": 1, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct TrainingClass {
    pub id: String,
    pub code: String,
    pub title: String,
    pub kind: TrainingClassKind,
    /// The organisation that sends or runs the class (scope).
    pub organiser_organisation_id: String,
    /// The school teaching it, when outside the tree.
    pub provider: Option<String>,
    pub venue: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Seats; enrolments not withdrawn may not exceed it.
    pub capacity: Option<i32>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TrainingClassRow> for TrainingClass {
    fn from(row: TrainingClassRow) -> Self {
        Self {
            kind: row.kind(),
            id: row.id,
            code: row.code,
            title: row.title,
            organiser_organisation_id: row.organiser_organisation_id,
            provider: row.provider,
            venue: row.venue,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            capacity: row.capacity,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /training-classes`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "NTVD-2016-01", "title": "Lớp bồi dưỡng nhận thức về Đảng khóa 1/2016", "kind": "party_awareness",
    "organiser_organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a60", "starts_on": "2016-03-14", "ends_on": "2016-03-18", "capacity": 120}))]
pub struct NewTrainingClass {
    pub code: String,
    pub title: String,
    pub kind: TrainingClassKind,
    pub organiser_organisation_id: String,
    pub provider: Option<String>,
    pub venue: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub capacity: Option<i32>,
}

/// Body of `PATCH /training-classes/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": 150}))]
pub struct TrainingClassPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<TrainingClassKind>)]
    pub kind: Option<Option<TrainingClassKind>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub organiser_organisation_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub provider: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub venue: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub capacity: Option<Option<i32>>,
}

/// Filters of `GET /training-classes`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainingClassFilters {
    /// Classes organised within this organisation's whole subtree.
    pub organisation_id: Option<String>,
    pub kind: Option<TrainingClassKind>,
    /// Classes starting in this calendar year.
    pub year: Option<i32>,
    /// Accent-insensitive text in the title.
    pub q: Option<String>,
}

/// A stored enrolment, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = enrolments, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct EnrolmentRow {
    pub id: String,
    pub class_id: String,
    pub person_id: String,
    pub status: String,
    pub completed_on: Option<NaiveDate>,
    pub certificate_number: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl EnrolmentRow {
    pub fn status(&self) -> EnrolmentStatus {
        EnrolmentStatus::from_db(&self.status)
    }
}

/// A person's place in a class.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7401", "class_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c7301",
    "person_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c02", "full_name": "Quàng Văn Dũng", "status": "completed",
    "completed_on": "2016-03-18", "certificate_number": "NT-2016-0042",
    "version": 2, "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}))]
pub struct Enrolment {
    pub id: String,
    pub class_id: String,
    pub person_id: String,
    /// The person's name, for attendance lists.
    pub full_name: String,
    pub status: EnrolmentStatus,
    pub completed_on: Option<NaiveDate>,
    pub certificate_number: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Enrolment {
    pub fn view(row: EnrolmentRow, full_name: String) -> Self {
        Self {
            status: row.status(),
            id: row.id,
            class_id: row.class_id,
            person_id: row.person_id,
            full_name,
            completed_on: row.completed_on,
            certificate_number: row.certificate_number,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /training-classes/{id}/enrolments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"person_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c02"}))]
pub struct NewEnrolment {
    pub person_id: String,
    /// `enrolled` by default.
    pub status: Option<EnrolmentStatus>,
    /// Required when the status is `completed`.
    pub completed_on: Option<NaiveDate>,
    pub certificate_number: Option<String>,
}

/// Body of `PATCH /training-classes/{id}/enrolments/{enrolment_id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "completed", "completed_on": "2016-03-18", "certificate_number": "NT-2016-0042"}))]
pub struct EnrolmentPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<EnrolmentStatus>)]
    pub status: Option<Option<EnrolmentStatus>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub completed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub certificate_number: Option<Option<String>>,
}

/// Filters of `GET /training-classes/{id}/enrolments`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentFilters {
    pub status: Option<EnrolmentStatus>,
    /// `csv` for the whole attendance sheet as CSV (paging is then ignored).
    pub format: Option<String>,
}
