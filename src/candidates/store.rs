//! Database work for candidates and their admission.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;

use super::model::*;
use super::rules::{self, AdmissionFacts};
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::search::contains_pattern;
use crate::api::{check_version, new_id, now};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access, Right};
use crate::db::organisation_ids_in;
use crate::db::schema::{candidates as c, people};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::members::model::{Member, MemberRow};
use crate::members::store::{self as members, NewEvent};
use crate::people::model::{Person, PersonRow};
use crate::vocabularies::{CandidateStage, MemberEventKind, MemberStatus};

pub const SORT_FIELDS: &[&str] = &["id", "identified_on", "created_at", "updated_at"];
const RECORD_TYPE: &str = "candidate";

type Query = c::BoxedQuery<'static, DbBackend>;

fn visible(access: &Access) -> Query {
    let mut query = c::table.filter(c::deleted_at.is_null()).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(c::organisation_id.eq_any(organisation_ids_in(lo, hi)));
    }
    query
}

/// One candidate in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<CandidateRow> {
    Ok(visible(access)
        .filter(c::id.eq(id.to_owned()))
        .first(conn)?)
}

fn views(
    conn: &mut DbConnection,
    rows: Vec<CandidateRow>,
    personal: bool,
) -> ApiResult<Vec<Candidate>> {
    let ids: Vec<String> = rows.iter().map(|r| r.person_id.clone()).collect();
    let mut by_id = crate::people::store::by_ids(conn, ids)?;
    rows.into_iter()
        .map(|row| {
            let person = by_id
                .remove(&row.person_id)
                .ok_or_else(|| ApiError::Internal(format!("candidate {} has no person", row.id)))?;
            Ok(Candidate::view(row, Person::view(person, personal)))
        })
        .collect()
}

fn view(conn: &mut DbConnection, row: CandidateRow, personal: bool) -> ApiResult<Candidate> {
    views(conn, vec![row], personal)?
        .pop()
        .ok_or_else(|| ApiError::Internal("no view".to_owned()))
}

fn filtered(
    conn: &mut DbConnection,
    access: &Access,
    filters: &CandidateFilters,
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
        query = query.filter(c::organisation_id.eq_any(organisation_ids_in(lo, hi)));
    }
    if let Some(stage) = filters.stage {
        query = query.filter(c::stage.eq(stage.as_str()));
    }
    if let Some(source) = filters.source {
        query = query.filter(c::source.eq(source.as_str()));
    }
    if let Some(q) = &filters.q {
        query = query.filter(c::search_name.like(contains_pattern(q)).escape('\\'));
    }
    Ok(query)
}

/// A page of candidates with their people.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &CandidateFilters,
    page: &PageRequest,
) -> ApiResult<Page<Candidate>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "identified_on" => keyset!(query, page, c::identified_on, c::id, key::date),
        "created_at" => keyset!(query, page, c::created_at, c::id, key::instant),
        "updated_at" => keyset!(query, page, c::updated_at, c::id, key::instant),
        _ => keyset!(query, page, c::id, c::id, key::text),
    };
    let rows: Vec<CandidateRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &CandidateRow| After {
        key: match page.sort_field {
            "identified_on" => row.identified_on.to_string(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    let rows = page.page(rows, key_of, |row| row, total);
    let items = views(conn, rows.items, access.may(Right::ReadPersonal))?;
    Ok(Page {
        items,
        next_cursor: rows.next_cursor,
        total: rows.total,
    })
}

/// Reads one candidate; a full read is audited.
pub fn read(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<Candidate> {
    let row = find(conn, access, id)?;
    let personal = access.may(Right::ReadPersonal);
    if personal {
        let path = crate::organisations::store::path_of(conn, &row.organisation_id)?;
        audit::record_read(conn, access, RECORD_TYPE, id, Some(&path))?;
    }
    view(conn, row, personal)
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&CandidateRow>,
    after: &CandidateRow,
) -> ApiResult<()> {
    let path = crate::organisations::store::path_of(conn, &after.organisation_id)?;
    let person: PersonRow = people::table.find(&after.person_id).first(conn)?;
    let image_of = |row: &CandidateRow| {
        image(&Candidate::view(
            row.clone(),
            Person::view(person.clone(), true),
        ))
    };
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &after.id,
            organisation_path: Some(&path),
            version: after.version,
            before: before.and_then(image_of),
            after: image_of(after),
        },
    )
}

/// Distinct introducers and the mentor must be members the caller can see.
fn check_people_refs(
    conn: &mut DbConnection,
    access: &Access,
    row: &CandidateRow,
) -> ApiResult<()> {
    if let Some(mentor) = &row.mentor_member_id {
        members::find_reference(conn, access, mentor, "mentor_member_id")?;
    }
    for introducer in row.introducers() {
        members::find_reference(conn, access, &introducer, "introducer_member_ids")?;
    }
    Ok(())
}

fn check_stage_writable(stage: CandidateStage) -> ApiResult<()> {
    if stage == CandidateStage::Admitted {
        return Err(ApiError::invalid_field(
            "stage",
            "admitted_by_admission",
            Msg::AdmittedThroughAdmission,
        ));
    }
    Ok(())
}

/// Creates a candidate, with an inline person or an existing one.
pub fn create(conn: &mut DbConnection, access: &Access, new: NewCandidate) -> ApiResult<Candidate> {
    let stage = new.stage.unwrap_or(CandidateStage::Identified);
    check_stage_writable(stage)?;
    let cell = members::cell_for_members(
        conn,
        access,
        &new.organisation_id,
        "organisation_id",
        new.identified_on,
    )?;
    let (person, person_is_new) = members::person_for(conn, access, new.person_id, new.person)?;
    let upgrade = new.education_upgrade.unwrap_or_default();
    let introducers: BTreeSet<String> = new.introducer_member_ids.into_iter().collect();
    let at = now();
    let row = CandidateRow {
        id: new_id(),
        person_id: person.id.clone(),
        organisation_id: cell.id.clone(),
        source: new.source.as_str().to_owned(),
        identified_on: new.identified_on,
        mentor_member_id: new.mentor_member_id,
        introducer_member_ids: serde_json::to_string(&introducers)
            .unwrap_or_else(|_| "[]".to_owned()),
        youth_union_introduction: new.youth_union_introduction,
        awareness_class_completed_on: new.awareness_class_completed_on,
        education_upgrade_required: upgrade.required,
        education_upgrade_enrolled_on: upgrade.enrolled_on,
        education_upgrade_completed_on: upgrade.completed_on,
        stage: stage.as_str().to_owned(),
        member_id: None,
        search_name: person.search_name.clone(),
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    check_people_refs(conn, access, &row)?;
    diesel::insert_into(c::table).values(&row).execute(conn)?;
    if person_is_new {
        crate::people::store::journal_created(conn, access, &person, Some(&cell.path))?;
    }
    journal(conn, access, "create", None, &row)?;
    view(conn, row, access.may(Right::ReadPersonal))
}

/// Applies a merge patch; a closed (admitted or dropped) candidate is 409.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: CandidatePatch,
    expected: Option<i64>,
) -> ApiResult<Candidate> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    if current.stage() == CandidateStage::Admitted {
        return Err(ApiError::conflict("already_admitted", Msg::AlreadyAdmitted));
    }
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut source = crate::vocabularies::CandidateSource::from_db(&current.source);
    let mut stage = current.stage();
    let mut introducers = current.introducers();
    let mut youth = current.youth_union_introduction;
    let mut upgrade = EducationUpgrade {
        required: current.education_upgrade_required,
        enrolled_on: current.education_upgrade_enrolled_on,
        completed_on: current.education_upgrade_completed_on,
    };
    set_required(
        &mut next.organisation_id,
        patch.organisation_id,
        "organisation_id",
        &mut errors,
    );
    set_required(&mut source, patch.source, "source", &mut errors);
    set_required(
        &mut next.identified_on,
        patch.identified_on,
        "identified_on",
        &mut errors,
    );
    set_nullable(&mut next.mentor_member_id, patch.mentor_member_id);
    set_required(
        &mut introducers,
        patch.introducer_member_ids,
        "introducer_member_ids",
        &mut errors,
    );
    set_required(
        &mut youth,
        patch.youth_union_introduction,
        "youth_union_introduction",
        &mut errors,
    );
    set_nullable(
        &mut next.awareness_class_completed_on,
        patch.awareness_class_completed_on,
    );
    set_required(
        &mut upgrade,
        patch.education_upgrade,
        "education_upgrade",
        &mut errors,
    );
    set_required(&mut stage, patch.stage, "stage", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    check_stage_writable(stage)?;
    next.source = source.as_str().to_owned();
    next.stage = stage.as_str().to_owned();
    let introducers: BTreeSet<String> = introducers.into_iter().collect();
    next.introducer_member_ids =
        serde_json::to_string(&introducers).unwrap_or_else(|_| "[]".to_owned());
    next.youth_union_introduction = youth;
    next.education_upgrade_required = upgrade.required;
    next.education_upgrade_enrolled_on = upgrade.enrolled_on;
    next.education_upgrade_completed_on = upgrade.completed_on;
    if next == current {
        return view(conn, current, access.may(Right::ReadPersonal));
    }
    if next.organisation_id != current.organisation_id {
        members::cell_for_members(
            conn,
            access,
            &next.organisation_id,
            "organisation_id",
            chrono::Utc::now().date_naive(),
        )?;
    }
    check_people_refs(conn, access, &next)?;
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(c::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next)?;
    view(conn, next, access.may(Right::ReadPersonal))
}

/// Soft-deletes a candidate entered by mistake.
pub fn delete(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let at = now();
    let version = current.version + 1;
    diesel::update(c::table.find(id))
        .set((
            c::deleted_at.eq(Some(at)),
            c::updated_at.eq(at),
            c::version.eq(version),
        ))
        .execute(conn)?;
    let path = crate::organisations::store::path_of(conn, &current.organisation_id)?;
    audit::record(
        conn,
        access,
        Write {
            action: "delete",
            record_type: RECORD_TYPE,
            record_id: id,
            organisation_path: Some(&path),
            version,
            before: None,
            after: None,
        },
    )
}

/// The admission facts of a candidate for a given admission.
pub fn admission_facts(
    conn: &mut DbConnection,
    candidate: &CandidateRow,
    person: &PersonRow,
    admitted_on: NaiveDate,
    age_exception: bool,
    education_exception: bool,
) -> ApiResult<AdmissionFacts> {
    let introducers = candidate.introducers();
    let mut official = 0;
    for introducer in &introducers {
        if let Some((MemberStatus::Official, _)) = members::state_on(conn, introducer, admitted_on)?
        {
            official += 1;
        }
    }
    Ok(AdmissionFacts {
        date_of_birth: person.date_of_birth,
        admitted_on,
        age_exception_approved: age_exception,
        awareness_class_completed_on: candidate.awareness_class_completed_on,
        introducers: introducers.len(),
        official_introducers: official,
        youth_union_introduction: candidate.youth_union_introduction,
        general_education: person.general_education,
        education_exception,
        education_upgrade_required: candidate.education_upgrade_required,
        education_upgrade_completed_on: candidate.education_upgrade_completed_on,
    })
}

/// Admits a candidate: checks every rule, creates the probationary member
/// for the same person, assigns a mentor, closes the candidate.
pub fn admit(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    request: AdmissionRequest,
    expected: Option<i64>,
) -> ApiResult<Member> {
    let candidate = find(conn, access, id)?;
    check_version(expected, candidate.version)?;
    match candidate.stage() {
        CandidateStage::Admitted => {
            return Err(ApiError::conflict("already_admitted", Msg::AlreadyAdmitted))
        }
        CandidateStage::Dropped => {
            return Err(ApiError::conflict(
                "candidate_dropped",
                Msg::CandidateDropped,
            ))
        }
        _ => {}
    }
    let person: PersonRow = people::table.find(&candidate.person_id).first(conn)?;
    let facts = admission_facts(
        conn,
        &candidate,
        &person,
        request.admitted_on,
        request.age_exception_approved,
        request.education_exception,
    )?;
    let broken = rules::check(&facts);
    if let Some(first) = broken.first() {
        return Err(ApiError::RuleBroken {
            code: first.0,
            detail: first.2.clone(),
            errors: broken
                .iter()
                .map(|(code, field, message)| FieldError::new(*field, code, message.clone()))
                .collect(),
        });
    }
    let cell = members::cell_for_members(
        conn,
        access,
        &candidate.organisation_id,
        "organisation_id",
        request.admitted_on,
    )?;
    let mentor = candidate
        .mentor_member_id
        .clone()
        .or_else(|| candidate.introducers().into_iter().next());
    let at = now();
    let member = MemberRow {
        id: new_id(),
        person_id: person.id.clone(),
        organisation_id: cell.id,
        status: MemberStatus::Probationary.as_str().to_owned(),
        member_number: request.member_number.clone(),
        admitted_on: request.admitted_on,
        official_on: None,
        card_number: None,
        card_issued_on: None,
        left_on: None,
        temporary_organisation_id: None,
        mentor_member_id: mentor,
        search_name: person.search_name.clone(),
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    members::insert(conn, access, &member, &person, false)?;
    members::append_event(
        conn,
        access,
        &member,
        NewEvent {
            kind: MemberEventKind::Admitted,
            occurred_on: request.admitted_on,
            decided_on: None,
            decision_number: request.decision_number.as_deref(),
            reason: None,
            detail: json!({"candidate_id": candidate.id}),
        },
    )?;
    let mut closed = candidate.clone();
    closed.stage = CandidateStage::Admitted.as_str().to_owned();
    closed.member_id = Some(member.id.clone());
    closed.version = candidate.version + 1;
    closed.updated_at = now();
    diesel::update(c::table.find(id))
        .set(&closed)
        .execute(conn)?;
    journal(conn, access, "admit", Some(&candidate), &closed)?;
    members::views(conn, vec![member], access.may(Right::ReadPersonal))?
        .pop()
        .ok_or_else(|| ApiError::Internal("no view".to_owned()))
}

/// The view of a candidate in scope, without auditing a full read (lists).
pub fn view_unaudited(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<Candidate> {
    let row = find(conn, access, id)?;
    view(conn, row, access.may(Right::ReadPersonal))
}
