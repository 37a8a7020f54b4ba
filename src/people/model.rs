//! Person rows, bodies and views.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::patch::double_option;
use crate::db::schema::people;
use crate::vocabularies::{Ethnicity, Gender, PoliticalTheory, ProfessionalLevel};

/// A stored person, all columns in table order.
#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, Identifiable, PartialEq)]
#[diesel(table_name = people, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PersonRow {
    pub id: String,
    pub full_name: String,
    pub search_name: String,
    pub gender: String,
    #[diesel(deserialize_as = crate::db::dates::Day)]
    pub date_of_birth: NaiveDate,
    pub ethnicity: String,
    pub religion: Option<String>,
    pub national_id: Option<String>,
    pub place_of_birth: Option<String>,
    pub hometown: Option<String>,
    pub residence_locality_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub general_education: Option<i32>,
    pub professional_level: Option<String>,
    pub political_theory: Option<String>,
    pub occupation: Option<String>,
    pub workplace: Option<String>,
    pub version: i64,
    #[diesel(deserialize_as = crate::db::dates::Instant)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::dates::Instant)]
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::dates::MaybeInstant)]
    pub deleted_at: Option<NaiveDateTime>,
}

/// The sensitive part of a personal record (Law 91/2025/QH15), present only
/// for roles that may see personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SensitiveFields {
    /// Absent for roles without access to personal data, like every field here.
    #[schema(example = "1990-05-01", required = false)]
    #[serde(serialize_with = "crate::api::dates::day")]
    pub date_of_birth: NaiveDate,
    #[schema(required = false)]
    pub ethnicity: Ethnicity,
    pub religion: Option<String>,
    /// 12-digit citizen id.
    #[schema(example = "011090001234")]
    pub national_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// A person. Fields of `SensitiveFields` are absent for viewers and auditors.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c01", "full_name": "Lò Thị Mai", "gender": "female",
    "date_of_birth": "1990-05-01", "ethnicity": "thai", "religion": null, "national_id": "011190001234",
    "place_of_birth": "Mường Ảng, Điện Biên", "hometown": "Mường Đăng", "residence_locality_id": null,
    "address": "Bản Hón", "phone": null, "email": null, "general_education": 12,
    "professional_level": "bachelor", "political_theory": "elementary", "occupation": "Giáo viên",
    "workplace": "Trường THCS Mường Đăng", "version": 1,
    "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"
}))]
pub struct Person {
    pub id: String,
    pub full_name: String,
    pub gender: Gender,
    #[serde(flatten)]
    #[schema(value_type = SensitiveFields)]
    pub sensitive: Option<SensitiveFields>,
    pub place_of_birth: Option<String>,
    pub hometown: Option<String>,
    pub residence_locality_id: Option<String>,
    pub email: Option<String>,
    /// Grade completed, 0–12.
    pub general_education: Option<i32>,
    pub professional_level: Option<ProfessionalLevel>,
    pub political_theory: Option<PoliticalTheory>,
    pub occupation: Option<String>,
    pub workplace: Option<String>,
    pub version: i64,
    #[serde(serialize_with = "crate::api::dates::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::dates::instant")]
    pub updated_at: DateTime<Utc>,
}

impl Person {
    /// The view of a row, with the sensitive part only when `personal` is true.
    pub fn view(row: PersonRow, personal: bool) -> Self {
        let sensitive = personal.then(|| SensitiveFields {
            date_of_birth: row.date_of_birth,
            ethnicity: Ethnicity::from_db(&row.ethnicity),
            religion: row.religion.clone(),
            national_id: row.national_id.clone(),
            address: row.address.clone(),
            phone: row.phone.clone(),
        });
        Self {
            gender: Gender::from_db(&row.gender),
            sensitive,
            professional_level: row
                .professional_level
                .as_deref()
                .map(ProfessionalLevel::from_db),
            political_theory: row
                .political_theory
                .as_deref()
                .map(PoliticalTheory::from_db),
            id: row.id,
            full_name: row.full_name,
            place_of_birth: row.place_of_birth,
            hometown: row.hometown,
            residence_locality_id: row.residence_locality_id,
            email: row.email,
            general_education: row.general_education,
            occupation: row.occupation,
            workplace: row.workplace,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// Body of `POST /people`, and the inline `person` of a member or candidate.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "full_name": "Lò Thị Mai", "gender": "female", "date_of_birth": "1990-05-01",
    "ethnicity": "thai", "national_id": "011190001234", "general_education": 12
}))]
pub struct NewPerson {
    pub full_name: String,
    pub gender: Gender,
    pub date_of_birth: NaiveDate,
    pub ethnicity: Ethnicity,
    pub religion: Option<String>,
    pub national_id: Option<String>,
    pub place_of_birth: Option<String>,
    pub hometown: Option<String>,
    pub residence_locality_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub general_education: Option<i32>,
    pub professional_level: Option<ProfessionalLevel>,
    pub political_theory: Option<PoliticalTheory>,
    pub occupation: Option<String>,
    pub workplace: Option<String>,
}

/// Body of `PATCH /people/{id}` (JSON merge patch).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "0912345678", "political_theory": "intermediate"}))]
pub struct PersonPatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub full_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<Option<Gender>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub date_of_birth: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Ethnicity>)]
    pub ethnicity: Option<Option<Ethnicity>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub religion: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub national_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub place_of_birth: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub hometown: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub residence_locality_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub general_education: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ProfessionalLevel>)]
    pub professional_level: Option<Option<ProfessionalLevel>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<PoliticalTheory>)]
    pub political_theory: Option<Option<PoliticalTheory>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub occupation: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub workplace: Option<Option<String>>,
}

/// Filters of `GET /people`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonFilters {
    pub gender: Option<Gender>,
    pub ethnicity: Option<Ethnicity>,
    pub residence_locality_id: Option<String>,
    /// Accent-insensitive text in the full name.
    #[param(example = "lo thi mai")]
    pub q: Option<String>,
}
