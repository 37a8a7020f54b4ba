//! Data quality ("đúng, đủ, sạch, sống"): per grassroots organisation, the
//! share of current member records that are complete and valid, and the
//! records to fix with the reasons.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::ratio::Ratio;
use crate::auth::subtree_range;
use crate::db::organisation_ids_in;
use crate::db::schema::{members, organisations, people};
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::members::model::MemberRow;
use crate::members::rules::official_from;
use crate::organisations::model::OrganisationRow;
use crate::organisations::rules::is_grassroots;
use crate::people::model::PersonRow;
use crate::people::rules::{national_id_mismatch, national_id_well_formed};
use crate::vocabularies::{Gender, MemberStatus};

/// One grassroots organisation's share of complete, valid records.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationQuality {
    pub organisation_id: String,
    pub code: String,
    pub name: String,
    /// Records complete and valid, of current members.
    pub complete: Ratio,
}

/// A member record to fix.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"member_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01", "full_name": "Lò Văn Minh",
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63", "reasons": ["national_id_missing", "card_missing"]}))]
pub struct RecordToFix {
    pub member_id: String,
    pub full_name: String,
    /// The member's cell.
    pub organisation_id: String,
    /// Codes: national_id_missing, national_id_malformed, national_id_gender_mismatch,
    /// national_id_century_mismatch, national_id_birth_year_mismatch, residence_missing,
    /// card_missing, recognition_overdue, date_of_birth_implausible.
    pub reasons: Vec<&'static str>,
}

/// The data-quality report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "as_of": "2026-11-25",
    "complete": {"count": 2000, "of": 2128, "percent": 94.0},
    "organisations": [{"organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a62", "code": "MA-MD", "name": "Đảng bộ xã Mường Đăng",
        "complete": {"count": 23, "of": 24, "percent": 95.8}}],
    "records_to_fix": [{"member_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01", "full_name": "Lò Văn Minh",
        "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63", "reasons": ["national_id_missing", "card_missing"]}]}))]
pub struct DataQualityReport {
    pub organisation_id: String,
    pub as_of: NaiveDate,
    /// Over the whole subtree.
    pub complete: Ratio,
    pub organisations: Vec<OrganisationQuality>,
    pub records_to_fix: Vec<RecordToFix>,
}

/// Why a current member's record is not complete and valid on `today`.
pub fn reasons(member: &MemberRow, person: &PersonRow, today: NaiveDate) -> Vec<&'static str> {
    let mut reasons = Vec::new();
    match &person.national_id {
        None => reasons.push("national_id_missing"),
        Some(id) if !national_id_well_formed(id) => reasons.push("national_id_malformed"),
        Some(id) => {
            if let Some(reason) =
                national_id_mismatch(id, Gender::from_db(&person.gender), person.date_of_birth)
            {
                reasons.push(reason);
            }
        }
    }
    if crate::people::rules::age_in_months(person.date_of_birth, member.admitted_on) < 16 * 12 {
        reasons.push("date_of_birth_implausible");
    }
    if person.residence_locality_id.is_none() {
        reasons.push("residence_missing");
    }
    match member.status() {
        MemberStatus::Official if member.card_number.is_none() => reasons.push("card_missing"),
        MemberStatus::Probationary if official_from(member.admitted_on) < today => {
            reasons.push("recognition_overdue")
        }
        _ => {}
    }
    reasons
}

/// The report for `root`'s subtree as the register stands today.
pub fn compute(conn: &mut DbConnection, root: &OrganisationRow) -> ApiResult<DataQualityReport> {
    let today = chrono::Utc::now().date_naive();
    let (lo, hi) = subtree_range(&root.path);
    let tree: Vec<OrganisationRow> = organisations::table
        .filter(organisations::deleted_at.is_null())
        .filter(organisations::path.ge(lo.clone()))
        .filter(organisations::path.lt(hi.clone()))
        .order(organisations::path.asc())
        .load(conn)?;
    let paths: BTreeMap<String, String> = tree
        .iter()
        .map(|o| (o.id.clone(), o.path.clone()))
        .collect();
    let grassroots: Vec<&OrganisationRow> =
        tree.iter().filter(|o| is_grassroots(o.kind())).collect();
    let rows: Vec<(MemberRow, PersonRow)> = members::table
        .inner_join(people::table)
        .filter(members::deleted_at.is_null())
        .filter(members::status.eq_any(["probationary", "official", "exempt"]))
        .filter(members::organisation_id.eq_any(organisation_ids_in(lo, hi)))
        .order(members::id.asc())
        .load(conn)?;
    let mut tallies: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut records_to_fix = Vec::new();
    for (member, person) in rows {
        let reasons = reasons(&member, &person, today);
        let cell_path = paths
            .get(&member.organisation_id)
            .cloned()
            .unwrap_or_default();
        // The grassroots organisation is the cell itself or the committee above it.
        if let Some(owner) = grassroots
            .iter()
            .find(|g| cell_path.starts_with(g.path.as_str()))
        {
            let tally = tallies.entry(owner.id.clone()).or_default();
            tally.0 += 1;
            if reasons.is_empty() {
                tally.1 += 1;
            }
        }
        if !reasons.is_empty() {
            records_to_fix.push(RecordToFix {
                member_id: member.id,
                full_name: person.full_name,
                organisation_id: member.organisation_id,
                reasons,
            });
        }
    }
    let (members_total, complete_total) = tallies
        .values()
        .fold((0, 0), |acc, t| (acc.0 + t.0, acc.1 + t.1));
    let organisations = grassroots
        .iter()
        .map(|g| {
            let (members, complete) = tallies.get(&g.id).copied().unwrap_or_default();
            OrganisationQuality {
                organisation_id: g.id.clone(),
                code: g.code.clone(),
                name: g.name.clone(),
                complete: Ratio::new(complete, members),
            }
        })
        .collect();
    Ok(DataQualityReport {
        organisation_id: root.id.clone(),
        as_of: today,
        complete: Ratio::new(complete_total, members_total),
        organisations,
        records_to_fix,
    })
}
