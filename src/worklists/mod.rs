//! Work lists: what an organiser does next (SPEC section 6). Each is a page
//! in member (or candidate) id order, so following `next_cursor` walks the
//! whole list once.

pub mod routes;

use chrono::{Datelike, Months, NaiveDate};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::pagination::{After, Page, PageRequest};
use crate::auth::{Access, Right};
use crate::candidates::model::{Candidate, CandidateRow};
use crate::db::organisation_ids_in;
use crate::db::schema::{candidates, members, people};
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::members::model::{Member, MemberRow};
use crate::members::rules::{milestone_reached_on, official_from, BADGE_MILESTONES};
use crate::people::model::PersonRow;
use crate::vocabularies::{CandidateStage, MemberEventKind, MemberStatus};

/// Rows examined per round trip when a list filters in Rust.
const SCAN_BATCH: i64 = 500;

/// `?by=` of the recognition list.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecognitionDueParams {
    /// Members whose 12 months end on or before this day (default today).
    pub by: Option<NaiveDate>,
}

/// `?year=` of the badge list.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BadgesDueParams {
    /// The calendar year the milestones are reached in.
    #[param(example = 2016)]
    pub year: i32,
}

/// `?on=` of the ready-candidates list.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CandidatesReadyParams {
    /// The day admission would be decided (default today).
    pub on: Option<NaiveDate>,
}

/// A member reaching a badge milestone in the year.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"milestone": 30, "reached_on": "2046-03-15", "member": {
    "id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5d01", "person_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c01",
    "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63", "temporary_organisation_id": null, "status": "official",
    "member_number": "DB-2016-0152", "admitted_on": "2016-03-15", "official_on": "2017-03-15", "card_number": "62012345",
    "card_issued_on": "2017-05-19", "left_on": null, "mentor_member_id": null, "version": 3,
    "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z",
    "person": {"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c01", "full_name": "Lò Thị Mai", "gender": "female",
        "date_of_birth": "1990-05-01", "ethnicity": "thai", "version": 1,
        "created_at": "2026-11-25T03:00:00Z", "updated_at": "2026-11-25T03:00:00Z"}}}))]
pub struct BadgeDue {
    pub member: Member,
    #[schema(example = 30)]
    pub milestone: u32,
    pub reached_on: NaiveDate,
}

/// Members of the caller's scope, as a boxed query.
macro_rules! members_in_scope {
    ($access:expr) => {{
        let mut query = members::table
            .filter(members::deleted_at.is_null())
            .into_boxed();
        if let Some((lo, hi)) = $access.scope.path_range() {
            query = query.filter(members::organisation_id.eq_any(organisation_ids_in(lo, hi)));
        }
        query
    }};
}

fn after_id(page: &PageRequest) -> String {
    page.after
        .as_ref()
        .map(|a| a.id.clone())
        .unwrap_or_default()
}

fn member_page(
    conn: &mut DbConnection,
    access: &Access,
    page: &PageRequest,
    rows: Vec<MemberRow>,
) -> ApiResult<Page<Member>> {
    let rows = page.page(
        rows,
        |r| After {
            key: r.id.clone(),
            id: r.id.clone(),
        },
        |r| r,
        None,
    );
    let items = crate::members::store::views(conn, rows.items, access.may(Right::ReadPersonal))?;
    Ok(Page {
        items,
        next_cursor: rows.next_cursor,
        total: None,
    })
}

/// Probationary members whose 12 months end on or before `by`
/// (QĐ 24-QĐ/TW 4.3: reviewed within 30 working days after probation).
pub fn recognition_due(
    conn: &mut DbConnection,
    access: &Access,
    by: NaiveDate,
    page: &PageRequest,
) -> ApiResult<Page<Member>> {
    // One day of slack covers 29 February; the exact test is official_from.
    let latest_admission = by
        .checked_sub_months(Months::new(12))
        .unwrap_or(by)
        .succ_opt()
        .unwrap_or(by);
    let mut found = Vec::new();
    let mut cursor = after_id(page);
    loop {
        let batch: Vec<MemberRow> = members_in_scope!(access)
            .filter(members::status.eq(MemberStatus::Probationary.as_str()))
            .filter(members::admitted_on.le(latest_admission))
            .filter(members::id.gt(cursor.clone()))
            .order(members::id.asc())
            .limit(SCAN_BATCH)
            .load(conn)?;
        let exhausted = (batch.len() as i64) < SCAN_BATCH;
        for row in batch {
            cursor = row.id.clone();
            if official_from(row.admitted_on) <= by {
                found.push(row);
            }
        }
        if exhausted || found.len() as i64 >= page.fetch_limit() {
            break;
        }
    }
    found.truncate(page.fetch_limit() as usize);
    member_page(conn, access, page, found)
}

/// Official members without a Party card.
pub fn cards_due(
    conn: &mut DbConnection,
    access: &Access,
    page: &PageRequest,
) -> ApiResult<Page<Member>> {
    let rows: Vec<MemberRow> = members_in_scope!(access)
        .filter(members::status.eq(MemberStatus::Official.as_str()))
        .filter(members::card_number.is_null())
        .filter(members::id.gt(after_id(page)))
        .order(members::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    member_page(conn, access, page, rows)
}

fn awarded_milestones(conn: &mut DbConnection, member_id: &str) -> ApiResult<Vec<u64>> {
    use crate::db::schema::member_events as e;
    let details: Vec<Option<String>> = e::table
        .filter(e::member_id.eq(member_id))
        .filter(e::kind.eq(MemberEventKind::BadgeAwarded.as_str()))
        .select(e::detail)
        .load(conn)?;
    Ok(details
        .into_iter()
        .filter_map(|d| d.and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok()))
        .filter_map(|v| v["milestone"].as_u64())
        .collect())
}

/// Members reaching a badge milestone in `year` who do not hold it
/// (QĐ 94-QĐ/TW 2017).
pub fn badges_due(
    conn: &mut DbConnection,
    access: &Access,
    year: i32,
    page: &PageRequest,
) -> ApiResult<Page<BadgeDue>> {
    // Periods outside the Party only delay a milestone, so anyone reaching
    // 30 years in `year` was admitted by the end of year - 30.
    let latest_admission = NaiveDate::from_ymd_opt(year - 30, 12, 31).unwrap_or(NaiveDate::MIN);
    let counted: Vec<&str> = [
        MemberStatus::Probationary,
        MemberStatus::Official,
        MemberStatus::Exempt,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    let mut found: Vec<(MemberRow, u32, NaiveDate)> = Vec::new();
    let mut cursor = after_id(page);
    loop {
        let batch: Vec<MemberRow> = members_in_scope!(access)
            .filter(members::status.eq_any(counted.clone()))
            .filter(members::admitted_on.le(latest_admission))
            .filter(members::id.gt(cursor.clone()))
            .order(members::id.asc())
            .limit(SCAN_BATCH)
            .load(conn)?;
        let exhausted = (batch.len() as i64) < SCAN_BATCH;
        for row in batch {
            cursor = row.id.clone();
            let periods = crate::members::store::membership_periods(conn, &row.id)?;
            let due = BADGE_MILESTONES.iter().find_map(|m| {
                milestone_reached_on(&periods, *m)
                    .filter(|d| d.year() == year)
                    .map(|d| (*m, d))
            });
            if let Some((milestone, reached_on)) = due {
                if !awarded_milestones(conn, &row.id)?.contains(&u64::from(milestone)) {
                    found.push((row, milestone, reached_on));
                }
            }
            if found.len() as i64 >= page.fetch_limit() {
                break;
            }
        }
        if exhausted || found.len() as i64 >= page.fetch_limit() {
            break;
        }
    }
    let rows = page.page(
        found,
        |(r, _, _)| After {
            key: r.id.clone(),
            id: r.id.clone(),
        },
        |r| r,
        None,
    );
    let (member_rows, dues): (Vec<MemberRow>, Vec<(u32, NaiveDate)>) =
        rows.items.into_iter().map(|(r, m, d)| (r, (m, d))).unzip();
    let members = crate::members::store::views(conn, member_rows, access.may(Right::ReadPersonal))?;
    let items = members
        .into_iter()
        .zip(dues)
        .map(|(member, (milestone, reached_on))| BadgeDue {
            member,
            milestone,
            reached_on,
        })
        .collect();
    Ok(Page {
        items,
        next_cursor: rows.next_cursor,
        total: None,
    })
}

/// Candidates meeting every admission rule on `on`, with no exception
/// assumed (an exception is the committee's decision, not the register's).
pub fn candidates_ready(
    conn: &mut DbConnection,
    access: &Access,
    on: NaiveDate,
    page: &PageRequest,
) -> ApiResult<Page<Candidate>> {
    let mut found = Vec::new();
    let mut cursor = after_id(page);
    loop {
        let mut query = candidates::table
            .filter(candidates::deleted_at.is_null())
            .filter(candidates::stage.eq_any([
                CandidateStage::Identified.as_str(),
                CandidateStage::Preparing.as_str(),
                CandidateStage::Ready.as_str(),
            ]))
            .filter(candidates::id.gt(cursor.clone()))
            .into_boxed();
        if let Some((lo, hi)) = access.scope.path_range() {
            query = query.filter(candidates::organisation_id.eq_any(organisation_ids_in(lo, hi)));
        }
        let batch: Vec<CandidateRow> = query
            .order(candidates::id.asc())
            .limit(SCAN_BATCH)
            .load(conn)?;
        let exhausted = (batch.len() as i64) < SCAN_BATCH;
        for row in batch {
            cursor = row.id.clone();
            let person: PersonRow = people::table.find(&row.person_id).first(conn)?;
            let facts =
                crate::candidates::store::admission_facts(conn, &row, &person, on, false, false)?;
            if crate::candidates::rules::check(&facts).is_empty() {
                found.push(row);
            }
            if found.len() as i64 >= page.fetch_limit() {
                break;
            }
        }
        if exhausted || found.len() as i64 >= page.fetch_limit() {
            break;
        }
    }
    let rows = page.page(
        found,
        |r| After {
            key: r.id.clone(),
            id: r.id.clone(),
        },
        |r| r,
        None,
    );
    let ids: Vec<String> = rows.items.iter().map(|r| r.id.clone()).collect();
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        items.push(crate::candidates::store::view_unaudited(conn, access, &id)?);
    }
    Ok(Page {
        items,
        next_cursor: rows.next_cursor,
        total: None,
    })
}
