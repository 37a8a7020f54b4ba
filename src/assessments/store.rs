//! Database work for assessments. An assessment is in scope when the
//! organisation it is rated under (the organisation itself, or the member's
//! home cell) is inside the caller's subtree.

use diesel::prelude::*;

use super::model::*;
use super::rules::{excellent_quota_exceeded, points_applicable};
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::{check_version, new_id, now};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access};
use crate::db::organisation_ids_in;
use crate::db::schema::assessments as a;
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::vocabularies::{Rating, SubjectType};

pub const SORT_FIELDS: &[&str] = &["id", "year", "created_at", "updated_at"];
const RECORD_TYPE: &str = "assessment";

type Query = a::BoxedQuery<'static, DbBackend>;

fn within(query: Query, lo: String, hi: String) -> Query {
    query.filter(a::organisation_id.eq_any(organisation_ids_in(lo, hi)))
}

/// Live assessments rated under an organisation inside the caller's scope.
fn visible(access: &Access) -> Query {
    let query = a::table.filter(a::deleted_at.is_null()).into_boxed();
    match access.scope.path_range() {
        Some((lo, hi)) => within(query, lo, hi),
        None => query,
    }
}

/// One assessment in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<AssessmentRow> {
    Ok(visible(access)
        .filter(a::id.eq(id.to_owned()))
        .first(conn)?)
}

/// The subject named in a body, in scope, and the organisation it is rated
/// (or awarded) under: an organisation itself, or a member's home cell.
pub fn subject_organisation(
    conn: &mut DbConnection,
    access: &Access,
    subject_type: SubjectType,
    subject_id: &str,
    field: &'static str,
) -> ApiResult<(String, String)> {
    match subject_type {
        SubjectType::Organisation => {
            let organisation =
                crate::organisations::store::find_reference(conn, access, subject_id, field)?;
            Ok((organisation.id.clone(), organisation.id))
        }
        SubjectType::Member => {
            let member = crate::members::store::find_reference(conn, access, subject_id, field)?;
            Ok((member.id, member.organisation_id))
        }
    }
}

fn filtered(
    conn: &mut DbConnection,
    access: &Access,
    filters: &AssessmentFilters,
) -> ApiResult<Query> {
    let mut query = visible(access);
    if let Some(organisation_id) = &filters.organisation_id {
        let root =
            crate::organisations::store::find(conn, access, organisation_id).map_err(|_| {
                ApiError::invalid_field(
                    "organisation_id",
                    "reference_not_found",
                    Msg::NoSuchOrganisation,
                )
            })?;
        let (lo, hi) = subtree_range(&root.path);
        query = within(query, lo, hi);
    }
    if let Some(subject_type) = filters.subject_type {
        query = query.filter(a::subject_type.eq(subject_type.as_str()));
    }
    if let Some(subject_id) = &filters.subject_id {
        query = query.filter(a::subject_id.eq(subject_id.clone()));
    }
    if let Some(year) = filters.year {
        query = query.filter(a::year.eq(year));
    }
    if let Some(rating) = filters.rating {
        query = query.filter(a::rating.eq(rating.as_str()));
    }
    Ok(query)
}

fn year_key(k: &str) -> ApiResult<i32> {
    k.parse::<i32>()
        .map_err(|_| ApiError::invalid_field("cursor", "invalid_cursor", Msg::InvalidCursor))
}

/// A page of assessments.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &AssessmentFilters,
    page: &PageRequest,
) -> ApiResult<Page<Assessment>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "year" => keyset!(query, page, a::year, a::id, year_key),
        "created_at" => keyset!(query, page, a::created_at, a::id, key::instant),
        "updated_at" => keyset!(query, page, a::updated_at, a::id, key::instant),
        _ => keyset!(query, page, a::id, a::id, key::text),
    };
    let rows: Vec<AssessmentRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &AssessmentRow| After {
        key: match page.sort_field {
            "year" => row.year.to_string(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Assessment::from, total))
}

/// The counts per rating of a year under an organisation's subtree (the
/// caller's scope root when none is named; everything for an unscoped caller).
pub fn summary(
    conn: &mut DbConnection,
    access: &Access,
    query: &SummaryQuery,
) -> ApiResult<AssessmentSummary> {
    check_year(query.year)?;
    let root_id = query
        .organisation_id
        .clone()
        .or_else(|| access.scope.root_id().map(str::to_owned));
    let (lo, hi) = match &root_id {
        Some(id) => {
            let root = crate::organisations::store::find(conn, access, id)?;
            subtree_range(&root.path)
        }
        // Every path starts with '/', and '0' follows it: the whole forest.
        None => ("/".to_owned(), "0".to_owned()),
    };
    let counts: Vec<(String, String, i64)> = a::table
        .filter(a::deleted_at.is_null())
        .filter(a::year.eq(query.year))
        .filter(a::organisation_id.eq_any(organisation_ids_in(lo, hi)))
        .group_by((a::subject_type, a::rating))
        .select((a::subject_type, a::rating, diesel::dsl::count_star()))
        .load(conn)?;
    let mut organisations = RatingCounts::default();
    let mut members = RatingCounts::default();
    for (subject_type, rating, n) in counts {
        let target = match SubjectType::from_db(&subject_type) {
            SubjectType::Organisation => &mut organisations,
            SubjectType::Member => &mut members,
        };
        target.rated += n;
        match Rating::from_db(&rating) {
            Rating::Excellent => target.excellent += n,
            Rating::Good => target.good += n,
            Rating::Satisfactory => target.satisfactory += n,
            Rating::Unsatisfactory => target.unsatisfactory += n,
        }
    }
    for counts in [&mut organisations, &mut members] {
        counts.excellent_quota_exceeded =
            excellent_quota_exceeded(query.year, counts.excellent, counts.good);
    }
    Ok(AssessmentSummary {
        year: query.year,
        organisation_id: root_id,
        excellent_quota_exceeded: organisations.excellent_quota_exceeded
            || members.excellent_quota_exceeded,
        organisations,
        members,
    })
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&AssessmentRow>,
    after: &AssessmentRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = crate::organisations::store::path_of(conn, &after.organisation_id)?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &after.id,
            organisation_path: Some(&path),
            version: after.version,
            before: before.and_then(|r| image(&Assessment::from(r.clone()))),
            after: if deleted {
                None
            } else {
                image(&Assessment::from(after.clone()))
            },
        },
    )
}

pub fn check_year(year: i32) -> ApiResult<()> {
    if !(1930..=2200).contains(&year) {
        return Err(ApiError::invalid_field(
            "year",
            "out_of_range",
            Msg::RangeBetween
                .with("field", "year")
                .with("min", 1930)
                .with("max", 2200),
        ));
    }
    Ok(())
}

/// Field checks, then the 100-point scale rule (422 `points_not_applicable`).
fn validated(row: &AssessmentRow, mut errors: Vec<FieldError>) -> ApiResult<()> {
    if !(1930..=2200).contains(&row.year) {
        errors.push(FieldError::new(
            "year",
            "out_of_range",
            Msg::RangeBetween
                .with("field", "year")
                .with("min", 1930)
                .with("max", 2200),
        ));
    }
    if row.points.is_some_and(|p| !(0..=100).contains(&p)) {
        errors.push(FieldError::new(
            "points",
            "out_of_range",
            Msg::RangeBetween
                .with("field", "points")
                .with("min", 0)
                .with("max", 100),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if row.points.is_some() && !points_applicable(row.year) {
        return Err(ApiError::RuleBroken {
            code: "points_not_applicable",
            detail: Msg::PointsFrom2025.into(),
            errors: vec![FieldError::new(
                "points",
                "points_not_applicable",
                Msg::NoPointsBefore2025,
            )],
        });
    }
    Ok(())
}

fn check_unique(conn: &mut DbConnection, row: &AssessmentRow) -> ApiResult<()> {
    let taken: i64 = a::table
        .filter(a::deleted_at.is_null())
        .filter(a::subject_type.eq(&row.subject_type))
        .filter(a::subject_id.eq(&row.subject_id))
        .filter(a::year.eq(row.year))
        .filter(a::id.ne(&row.id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "duplicate_assessment",
            Msg::DuplicateAssessment,
        ));
    }
    Ok(())
}

/// Rates an organisation or member for a year.
pub fn create(
    conn: &mut DbConnection,
    access: &Access,
    new: NewAssessment,
) -> ApiResult<Assessment> {
    let at = now();
    let mut row = AssessmentRow {
        id: new_id(),
        subject_type: new.subject_type.as_str().to_owned(),
        subject_id: new.subject_id,
        organisation_id: String::new(),
        year: new.year,
        rating: new.rating.as_str().to_owned(),
        points: new.points,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    validated(&row, Vec::new())?;
    let (subject_id, organisation_id) = subject_organisation(
        conn,
        access,
        new.subject_type,
        &row.subject_id,
        "subject_id",
    )?;
    row.subject_id = subject_id;
    row.organisation_id = organisation_id;
    check_unique(conn, &row)?;
    diesel::insert_into(a::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, &row, false)?;
    Ok(Assessment::from(row))
}

/// Applies a merge patch to an assessment.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: AssessmentPatch,
    expected: Option<i64>,
) -> ApiResult<Assessment> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut rating = Rating::from_db(&current.rating);
    set_required(&mut next.year, patch.year, "year", &mut errors);
    set_required(&mut rating, patch.rating, "rating", &mut errors);
    set_nullable(&mut next.points, patch.points);
    next.rating = rating.as_str().to_owned();
    validated(&next, errors)?;
    if next == current {
        return Ok(Assessment::from(current));
    }
    if next.year != current.year {
        check_unique(conn, &next)?;
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(a::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next, false)?;
    Ok(Assessment::from(next))
}

/// Soft-deletes an assessment entered by mistake.
pub fn delete(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut gone = current.clone();
    gone.deleted_at = Some(now());
    gone.updated_at = now();
    gone.version = current.version + 1;
    diesel::update(a::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), &gone, true)
}
