//! Member rows, events, bodies and views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::{member_events, members};
use crate::people::model::{NewPerson, Person};
use crate::vocabularies::{
    BadgeStatus, Ethnicity, Gender, MemberEventKind, MemberStatus, TransferKind,
};

/// A stored member, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = members, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct MemberRow {
    pub id: String,
    pub person_id: String,
    pub organisation_id: String,
    pub status: String,
    pub member_number: Option<String>,
    #[diesel(deserialize_as = crate::db::dates::Day)]
    pub admitted_on: NaiveDate,
    #[diesel(deserialize_as = crate::db::dates::MaybeDay)]
    pub official_on: Option<NaiveDate>,
    pub card_number: Option<String>,
    #[diesel(deserialize_as = crate::db::dates::MaybeDay)]
    pub card_issued_on: Option<NaiveDate>,
    #[diesel(deserialize_as = crate::db::dates::MaybeDay)]
    pub left_on: Option<NaiveDate>,
    pub temporary_organisation_id: Option<String>,
    pub mentor_member_id: Option<String>,
    pub search_name: String,
    pub version: i64,
    #[diesel(deserialize_as = crate::db::dates::Instant)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::dates::Instant)]
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::dates::MaybeInstant)]
    pub deleted_at: Option<NaiveDateTime>,
}

impl MemberRow {
    pub fn status(&self) -> MemberStatus {
        MemberStatus::from_db(&self.status)
    }
}

/// A stored member event, all columns in table order. `None` is inserted as
/// NULL (no column has a default), as for every row type here: diesel's
/// default leaves such columns out, so the SQL changes with the values,
/// and on SQLite it then inserts a batch one row a savepoint.
#[derive(Debug, Clone, Queryable, Insertable, Identifiable, PartialEq)]
#[diesel(table_name = member_events, treat_none_as_default_value = false)]
pub struct MemberEventRow {
    pub id: String,
    pub member_id: String,
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    pub decision_number: Option<String>,
    pub reason: Option<String>,
    pub status_after: String,
    pub organisation_after: String,
    pub detail: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    /// The day of the member's next event: this event's state holds until
    /// then (kept by `members::store::relink_spans`).
    pub superseded_on: Option<NaiveDate>,
}

/// A Party member, with the person embedded.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01", "person_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c01",
    "person": {"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c01", "full_name": "Lò Thị Mai", "gender": "female",
               "date_of_birth": "1990-05-01", "ethnicity": "thai", "version": 1,
               "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"},
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63", "status": "official",
    "member_number": "DB-2016-0152", "admitted_on": "2016-03-15", "official_on": "2017-03-15",
    "card_number": "62012345", "card_issued_on": "2017-05-19", "left_on": null,
    "temporary_organisation_id": null, "mentor_member_id": null, "version": 3,
    "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"
}))]
pub struct Member {
    pub id: String,
    pub person_id: String,
    pub person: Person,
    /// The home cell, where the member is counted.
    pub organisation_id: String,
    pub status: MemberStatus,
    /// Số lý lịch đảng viên.
    pub member_number: Option<String>,
    #[serde(serialize_with = "crate::api::dates::day")]
    pub admitted_on: NaiveDate,
    #[serde(serialize_with = "crate::api::dates::optional_day")]
    pub official_on: Option<NaiveDate>,
    pub card_number: Option<String>,
    #[serde(serialize_with = "crate::api::dates::optional_day")]
    pub card_issued_on: Option<NaiveDate>,
    #[serde(serialize_with = "crate::api::dates::optional_day")]
    pub left_on: Option<NaiveDate>,
    /// Where the member is temporarily attached, if anywhere (still counted at home).
    pub temporary_organisation_id: Option<String>,
    pub mentor_member_id: Option<String>,
    pub version: i64,
    #[serde(serialize_with = "crate::api::dates::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::dates::instant")]
    pub updated_at: DateTime<Utc>,
}

impl Member {
    pub fn view(row: MemberRow, person: Person) -> Self {
        Self {
            status: row.status(),
            id: row.id,
            person_id: row.person_id,
            person,
            organisation_id: row.organisation_id,
            member_number: row.member_number,
            admitted_on: row.admitted_on,
            official_on: row.official_on,
            card_number: row.card_number,
            card_issued_on: row.card_issued_on,
            left_on: row.left_on,
            temporary_organisation_id: row.temporary_organisation_id,
            mentor_member_id: row.mentor_member_id,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A dated member event.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5e01", "member_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01",
    "kind": "recognised", "occurred_on": "2017-03-15", "decided_on": "2017-04-02",
    "decision_number": "215-QĐ/HU", "reason": null, "status_after": "official",
    "organisation_after": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63", "detail": {},
    "created_at": "2026-11-25T03:00:00Z"
}))]
pub struct MemberEvent {
    pub id: String,
    pub member_id: String,
    pub kind: MemberEventKind,
    /// The day the event takes effect (for a recognition, the official date).
    pub occurred_on: NaiveDate,
    /// The day of the decision, when it differs.
    pub decided_on: Option<NaiveDate>,
    pub decision_number: Option<String>,
    /// Sensitive: shown only to roles that may see personal data.
    pub reason: Option<String>,
    /// The member's status right after the event.
    pub status_after: MemberStatus,
    /// The member's home cell right after the event.
    pub organisation_after: String,
    /// Kind-specific facts: card number, badge milestone, destination, …
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl MemberEvent {
    pub fn view(row: MemberEventRow, personal: bool) -> Self {
        Self {
            kind: MemberEventKind::from_db(&row.kind),
            status_after: MemberStatus::from_db(&row.status_after),
            detail: row
                .detail
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or_else(|| serde_json::json!({})),
            reason: if personal { row.reason } else { None },
            id: row.id,
            member_id: row.member_id,
            occurred_on: row.occurred_on,
            decided_on: row.decided_on,
            decision_number: row.decision_number,
            organisation_after: row.organisation_after,
            created_at: row.created_at.and_utc(),
        }
    }
}

/// Where an incoming member comes from.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferredIn {
    /// The day the member joined this register.
    pub on: NaiveDate,
    /// The Party organisation the member comes from (outside this register).
    pub from: Option<String>,
    pub decision_number: Option<String>,
}

/// Body of `POST /members`: registers an existing member (data migration,
/// or an incoming transfer with `transferred_in`). New members come through
/// candidate admission.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "person": {"full_name": "Lò Văn Minh", "gender": "male", "date_of_birth": "1975-02-11", "ethnicity": "thai", "general_education": 12},
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63", "status": "official",
    "member_number": "DB-1998-0031", "admitted_on": "1998-05-19", "official_on": "1999-05-19"
}))]
pub struct NewMember {
    /// An existing person, or give `person` inline.
    pub person_id: Option<String>,
    pub person: Option<NewPerson>,
    /// The home cell.
    pub organisation_id: String,
    /// `probationary`, `official` (default when `official_on` is given) or `exempt`.
    pub status: Option<MemberStatus>,
    pub member_number: Option<String>,
    pub admitted_on: NaiveDate,
    pub official_on: Option<NaiveDate>,
    pub card_number: Option<String>,
    pub card_issued_on: Option<NaiveDate>,
    pub mentor_member_id: Option<String>,
    /// For a member arriving from outside the register.
    pub transferred_in: Option<TransferredIn>,
}

/// Body of `PATCH /members/{id}` (JSON merge patch). Status, cell and card
/// change only through the dated actions.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"member_number": "DB-2016-0152"}))]
pub struct MemberPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub member_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub mentor_member_id: Option<Option<String>>,
}

/// Filters of `GET /members`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberFilters {
    /// Members of this organisation's whole subtree.
    pub organisation_id: Option<String>,
    pub status: Option<MemberStatus>,
    pub gender: Option<Gender>,
    pub ethnicity: Option<Ethnicity>,
    /// Admitted on or after this day.
    pub admitted_from: Option<NaiveDate>,
    /// Admitted on or before this day.
    pub admitted_to: Option<NaiveDate>,
    /// Accent-insensitive text in the name.
    #[param(example = "lo thi mai")]
    pub q: Option<String>,
}

/// Body of `POST /members/{id}/recognition`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decided_on": "2017-04-02", "decision_number": "215-QĐ/HU"}))]
pub struct RecognitionRequest {
    pub decided_on: NaiveDate,
    pub decision_number: Option<String>,
}

/// Body of `POST /members/{id}/cards`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"card_number": "62012345", "issued_on": "2017-05-19"}))]
pub struct CardRequest {
    pub card_number: String,
    pub issued_on: NaiveDate,
    /// Why a card is re-issued (lost, damaged).
    pub reason: Option<String>,
}

/// Body of `POST /members/{id}/badges`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"milestone": 30, "status": "proposed", "on": "2016-11-07", "decision_number": "12-TTr/HU"}))]
pub struct BadgeRequest {
    /// Years of membership: 30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85 or 90.
    pub milestone: u32,
    pub status: BadgeStatus,
    pub on: NaiveDate,
    pub decision_number: Option<String>,
    /// Serious illness: allows the badge up to 12 months early (24 from 70 years).
    pub early_reason: Option<String>,
}

/// Body of `POST /members/{id}/transfers`: to another cell (`kind`
/// `official` or `temporary`, or `return` from a temporary transfer), or out
/// of the register with `"out": true` and a `destination`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to_organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a64", "on": "2016-08-01", "kind": "official"}))]
pub struct TransferRequest {
    pub to_organisation_id: Option<String>,
    pub on: NaiveDate,
    pub kind: Option<TransferKind>,
    /// For a temporary transfer: the planned end (3 months to 2 years later).
    pub until: Option<NaiveDate>,
    #[serde(default)]
    pub out: bool,
    /// For a transfer out: where the member goes.
    pub destination: Option<String>,
    pub decision_number: Option<String>,
}

/// Body of `POST /members/{id}/status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "exempt", "on": "2016-06-01", "reason": "Tuổi cao, sức khỏe yếu", "decision_number": "05-QĐ/CB"}))]
pub struct StatusRequest {
    /// `exempt`, `removed`, `expelled`, `resigned`, `deceased`, or `official` (back from exempt).
    pub status: MemberStatus,
    pub on: NaiveDate,
    /// Sensitive: shown only to roles that may see personal data.
    pub reason: Option<String>,
    pub decision_number: Option<String>,
}
