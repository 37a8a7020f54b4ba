//! Database work for cadres and their oversights. A cadre is in scope when
//! its register organisation is inside the caller's subtree; a cadre held by
//! no organisation is visible only to unscoped callers.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::*;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::search::contains_pattern;
use crate::api::{check_version, new_id, now};
use crate::appointments::model::AppointmentRow;
use crate::appointments::rules::check_period;
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access, Right};
use crate::db::schema::{
    appointments, cadre_oversights as ov, cadres as c, organisations, people, positions,
};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::people::model::{Person, PersonRow};
use crate::vocabularies::{AppointmentKind, CadreCategory};

pub const SORT_FIELDS: &[&str] = &["id", "created_at", "updated_at"];
pub const OVERSIGHT_SORT_FIELDS: &[&str] = &["id", "starts_on"];
const RECORD_TYPE: &str = "cadre";
const OVERSIGHT_TYPE: &str = "oversight";

type Query = c::BoxedQuery<'static, DbBackend>;

/// Live cadres whose register organisation is inside the caller's scope.
pub fn visible(access: &Access) -> Query {
    let mut query = c::table.filter(c::deleted_at.is_null()).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        // NULL organisation_id never matches IN, so unowned cadres stay hidden.
        query = query.filter(
            c::organisation_id.eq_any(
                organisations::table
                    .filter(organisations::path.ge(lo))
                    .filter(organisations::path.lt(hi))
                    .select(organisations::id.nullable()),
            ),
        );
    }
    query
}

/// One cadre in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<CadreRow> {
    Ok(visible(access)
        .filter(c::id.eq(id.to_owned()))
        .first(conn)?)
}

/// A cadre named in a body, in scope, or 404 naming the field.
pub fn find_reference(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    field: &'static str,
) -> ApiResult<CadreRow> {
    find(conn, access, id).map_err(|e| e.for_reference(field))
}

/// The path of an organisation, for scoping the journal (`None` when no organisation).
pub fn organisation_path(
    conn: &mut DbConnection,
    organisation_id: Option<&str>,
) -> ApiResult<Option<String>> {
    match organisation_id {
        None => Ok(None),
        Some(id) => crate::organisations::store::path_of(conn, id).map(Some),
    }
}

/// The journal path of a cadre's records (its register organisation).
pub fn cadre_path(conn: &mut DbConnection, cadre_id: &str) -> ApiResult<Option<String>> {
    let organisation: Option<String> = c::table
        .find(cadre_id)
        .select(c::organisation_id)
        .first(conn)?;
    organisation_path(conn, organisation.as_deref())
}

/// Appointments in force on `today` of the given cadres, with position titles.
fn current_appointments(
    conn: &mut DbConnection,
    cadre_ids: Vec<String>,
    today: NaiveDate,
) -> ApiResult<HashMap<String, Vec<CurrentAppointment>>> {
    let rows: Vec<(AppointmentRow, String)> = appointments::table
        .inner_join(positions::table)
        .filter(appointments::cadre_id.eq_any(cadre_ids))
        .filter(appointments::deleted_at.is_null())
        .filter(positions::deleted_at.is_null())
        .filter(appointments::starts_on.le(today))
        .filter(
            appointments::ends_on
                .is_null()
                .or(appointments::ends_on.gt(today)),
        )
        .order((appointments::starts_on.asc(), appointments::id.asc()))
        .select((appointments::all_columns, positions::title))
        .load(conn)?;
    let mut by_cadre: HashMap<String, Vec<CurrentAppointment>> = HashMap::new();
    for (row, title) in rows {
        by_cadre
            .entry(row.cadre_id.clone())
            .or_default()
            .push(CurrentAppointment {
                appointment_id: row.id,
                position_id: row.position_id,
                title,
                kind: row.kind.as_deref().map(AppointmentKind::from_db),
                starts_on: row.starts_on,
                ends_on: row.ends_on,
            });
    }
    Ok(by_cadre)
}

fn views(conn: &mut DbConnection, rows: Vec<CadreRow>, personal: bool) -> ApiResult<Vec<Cadre>> {
    let person_ids: Vec<String> = rows.iter().map(|r| r.person_id.clone()).collect();
    let mut by_id = crate::people::store::by_ids(conn, person_ids)?;
    let today = chrono::Utc::now().date_naive();
    let mut current =
        current_appointments(conn, rows.iter().map(|r| r.id.clone()).collect(), today)?;
    rows.into_iter()
        .map(|row| {
            let person = by_id
                .remove(&row.person_id)
                .ok_or_else(|| ApiError::Internal(format!("cadre {} has no person", row.id)))?;
            let held = current.remove(&row.id).unwrap_or_default();
            Ok(Cadre::view(row, Person::view(person, personal), held))
        })
        .collect()
}

fn view(conn: &mut DbConnection, row: CadreRow, personal: bool) -> ApiResult<Cadre> {
    views(conn, vec![row], personal)?
        .pop()
        .ok_or_else(|| ApiError::Internal("no view".to_owned()))
}

fn filtered(conn: &mut DbConnection, access: &Access, filters: &CadreFilters) -> ApiResult<Query> {
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
        query = query.filter(
            c::organisation_id.eq_any(
                organisations::table
                    .filter(organisations::path.ge(lo))
                    .filter(organisations::path.lt(hi))
                    .select(organisations::id.nullable()),
            ),
        );
    }
    if let Some(category) = filters.category {
        query = query.filter(c::category.eq(category.as_str()));
    }
    if let Some(in_planning) = filters.in_planning {
        query = query.filter(c::in_planning.eq(in_planning));
    }
    if let Some(q) = &filters.q {
        query = query.filter(c::search_name.like(contains_pattern(q)).escape('\\'));
    }
    Ok(query)
}

/// A page of cadres with their people and current appointments.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &CadreFilters,
    page: &PageRequest,
) -> ApiResult<Page<Cadre>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "created_at" => keyset!(query, page, c::created_at, c::id, key::instant),
        "updated_at" => keyset!(query, page, c::updated_at, c::id, key::instant),
        _ => keyset!(query, page, c::id, c::id, key::text),
    };
    let rows: Vec<CadreRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &CadreRow| After {
        key: match page.sort_field {
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

/// Reads one cadre; a full read by a role that sees personal data is audited.
pub fn read(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<Cadre> {
    let row = find(conn, access, id)?;
    let personal = access.may(Right::ReadPersonal);
    if personal {
        let path = organisation_path(conn, row.organisation_id.as_deref())?;
        audit::record_read(conn, access, RECORD_TYPE, id, path.as_deref())?;
    }
    view(conn, row, personal)
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&CadreRow>,
    after: &CadreRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = organisation_path(conn, after.organisation_id.as_deref())?;
    let person: PersonRow = people::table.find(&after.person_id).first(conn)?;
    // Images carry no current appointments: those are journalled on their own.
    let image_of = |row: &CadreRow| {
        image(&Cadre::view(
            row.clone(),
            Person::view(person.clone(), true),
            Vec::new(),
        ))
    };
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &after.id,
            organisation_path: path.as_deref(),
            version: after.version,
            before: before.and_then(image_of),
            after: if deleted { None } else { image_of(after) },
        },
    )
}

fn check_planned(titles: &[String]) -> ApiResult<()> {
    if titles
        .iter()
        .any(|t| t.trim().is_empty() || t.chars().count() > 255)
    {
        return Err(ApiError::invalid_field(
            "planned_positions",
            "invalid_title",
            Msg::InvalidPlannedPosition,
        ));
    }
    Ok(())
}

/// The register organisation: the one named (in scope), else the caller's scope root.
fn register_organisation(
    conn: &mut DbConnection,
    access: &Access,
    named: Option<String>,
) -> ApiResult<Option<String>> {
    match named.or_else(|| access.scope.root_id().map(str::to_owned)) {
        Some(id) => Ok(Some(
            crate::organisations::store::find_reference(conn, access, &id, "organisation_id")?.id,
        )),
        None => Ok(None),
    }
}

fn check_not_a_cadre(conn: &mut DbConnection, person_id: &str) -> ApiResult<()> {
    let existing: i64 = c::table
        .filter(c::person_id.eq(person_id))
        .filter(c::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Err(ApiError::conflict("already_cadre", Msg::AlreadyCadre));
    }
    Ok(())
}

/// Puts a person in the cadre register.
pub fn create(conn: &mut DbConnection, access: &Access, new: NewCadre) -> ApiResult<Cadre> {
    check_planned(&new.planned_positions)?;
    let organisation_id = register_organisation(conn, access, new.organisation_id)?;
    let (person, person_is_new) =
        crate::members::store::person_for(conn, access, new.person_id, new.person)?;
    check_not_a_cadre(conn, &person.id)?;
    let at = now();
    let row = CadreRow {
        id: new_id(),
        person_id: person.id.clone(),
        organisation_id,
        category: new.category.map(|c| c.as_str().to_owned()),
        full_time: new.full_time,
        in_planning: new.in_planning,
        planned_positions: serde_json::to_string(&new.planned_positions)
            .unwrap_or_else(|_| "[]".to_owned()),
        notes: new.notes,
        search_name: person.search_name.clone(),
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    diesel::insert_into(c::table).values(&row).execute(conn)?;
    if person_is_new {
        let path = organisation_path(conn, row.organisation_id.as_deref())?;
        crate::people::store::journal_created(conn, access, &person, path.as_deref())?;
    }
    journal(conn, access, "create", None, &row, false)?;
    view(conn, row, access.may(Right::ReadPersonal))
}

/// Applies a merge patch to a cadre.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: CadrePatch,
    expected: Option<i64>,
) -> ApiResult<Cadre> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut category = current.category.as_deref().map(CadreCategory::from_db);
    let mut planned = current.planned();
    set_nullable(&mut next.organisation_id, patch.organisation_id);
    set_nullable(&mut category, patch.category);
    set_required(
        &mut next.full_time,
        patch.full_time,
        "full_time",
        &mut errors,
    );
    set_required(
        &mut next.in_planning,
        patch.in_planning,
        "in_planning",
        &mut errors,
    );
    set_required(
        &mut planned,
        patch.planned_positions,
        "planned_positions",
        &mut errors,
    );
    set_nullable(&mut next.notes, patch.notes);
    if next.organisation_id.is_none() && access.scope.root_id().is_some() {
        // A scoped caller would lose sight of a cadre held by no organisation.
        errors.push(FieldError::new(
            "organisation_id",
            "required",
            Msg::NotNullWhenScoped.with("field", "organisation_id"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    check_planned(&planned)?;
    next.category = category.map(|c| c.as_str().to_owned());
    next.planned_positions = serde_json::to_string(&planned).unwrap_or_else(|_| "[]".to_owned());
    if next == current {
        return view(conn, current, access.may(Right::ReadPersonal));
    }
    if next.organisation_id != current.organisation_id {
        if let Some(organisation_id) = &next.organisation_id {
            crate::organisations::store::find_reference(
                conn,
                access,
                organisation_id,
                "organisation_id",
            )?;
        }
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(c::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next, false)?;
    view(conn, next, access.may(Right::ReadPersonal))
}

/// Soft-deletes a cadre entered by mistake.
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
    diesel::update(c::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), &gone, true)
}

// ---- Oversights ----

type OversightQuery = ov::BoxedQuery<'static, DbBackend>;

/// Live oversights of one cadre (the cadre's own scope check comes first).
fn oversights_of(cadre_id: &str) -> OversightQuery {
    ov::table
        .filter(ov::deleted_at.is_null())
        .filter(ov::cadre_id.eq(cadre_id.to_owned()))
        .into_boxed()
}

/// One oversight of a cadre in scope, or 404.
pub fn find_oversight(
    conn: &mut DbConnection,
    access: &Access,
    cadre_id: &str,
    id: &str,
) -> ApiResult<OversightRow> {
    find(conn, access, cadre_id)?;
    Ok(oversights_of(cadre_id)
        .filter(ov::id.eq(id.to_owned()))
        .first(conn)?)
}

/// A page of a cadre's oversights.
pub fn list_oversights(
    conn: &mut DbConnection,
    access: &Access,
    cadre_id: &str,
    page: &PageRequest,
) -> ApiResult<Page<Oversight>> {
    find(conn, access, cadre_id)?;
    let query = oversights_of(cadre_id);
    let query = match page.sort_field {
        "starts_on" => keyset!(query, page, ov::starts_on, ov::id, key::date),
        _ => keyset!(query, page, ov::id, ov::id, key::text),
    };
    let rows: Vec<OversightRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(oversights_of(cadre_id).count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &OversightRow| After {
        key: match page.sort_field {
            "starts_on" => row.starts_on.to_string(),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Oversight::from, total))
}

/// The overseen organisation: in scope, and a grassroots organisation.
fn overseen(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<String> {
    let organisation =
        crate::organisations::store::find_reference(conn, access, id, "organisation_id")?;
    // Oversight is of grassroots organisations (Charter art. 21; QĐ 294-QĐ/TW 2025).
    if !crate::organisations::rules::is_grassroots(organisation.kind()) {
        return Err(ApiError::RuleBroken {
            code: "not_grassroots",
            detail: Msg::OversightOfGrassroots.into(),
            errors: vec![FieldError::new(
                "organisation_id",
                "not_grassroots",
                Msg::NotGrassroots,
            )],
        });
    }
    Ok(organisation.id)
}

fn journal_oversight(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&OversightRow>,
    after: &OversightRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = cadre_path(conn, &after.cadre_id)?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: OVERSIGHT_TYPE,
            record_id: &after.id,
            organisation_path: path.as_deref(),
            version: after.version,
            before: before.and_then(|r| image(&Oversight::from(r.clone()))),
            after: if deleted {
                None
            } else {
                image(&Oversight::from(after.clone()))
            },
        },
    )
}

fn validated_period(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> ApiResult<()> {
    let mut errors = Vec::new();
    check_period(starts_on, ends_on, "ends_on", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Assigns a cadre to follow a grassroots organisation.
pub fn create_oversight(
    conn: &mut DbConnection,
    access: &Access,
    cadre_id: &str,
    new: NewOversight,
) -> ApiResult<Oversight> {
    let cadre = find(conn, access, cadre_id)?;
    validated_period(new.starts_on, new.ends_on)?;
    let organisation_id = overseen(conn, access, &new.organisation_id)?;
    let at = now();
    let row = OversightRow {
        id: new_id(),
        cadre_id: cadre.id,
        organisation_id,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    diesel::insert_into(ov::table).values(&row).execute(conn)?;
    journal_oversight(conn, access, "create", None, &row, false)?;
    Ok(Oversight::from(row))
}

/// Applies a merge patch to an oversight.
pub fn update_oversight(
    conn: &mut DbConnection,
    access: &Access,
    cadre_id: &str,
    id: &str,
    patch: OversightPatch,
    expected: Option<i64>,
) -> ApiResult<Oversight> {
    let current = find_oversight(conn, access, cadre_id, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    set_required(
        &mut next.organisation_id,
        patch.organisation_id,
        "organisation_id",
        &mut errors,
    );
    set_required(
        &mut next.starts_on,
        patch.starts_on,
        "starts_on",
        &mut errors,
    );
    set_nullable(&mut next.ends_on, patch.ends_on);
    check_period(next.starts_on, next.ends_on, "ends_on", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if next == current {
        return Ok(Oversight::from(current));
    }
    if next.organisation_id != current.organisation_id {
        overseen(conn, access, &next.organisation_id)?;
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(ov::table.find(id))
        .set(&next)
        .execute(conn)?;
    journal_oversight(conn, access, "update", Some(&current), &next, false)?;
    Ok(Oversight::from(next))
}

/// Soft-deletes an oversight entered by mistake.
pub fn delete_oversight(
    conn: &mut DbConnection,
    access: &Access,
    cadre_id: &str,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find_oversight(conn, access, cadre_id, id)?;
    check_version(expected, current.version)?;
    let mut gone = current.clone();
    gone.deleted_at = Some(now());
    gone.updated_at = now();
    gone.version = current.version + 1;
    diesel::update(ov::table.find(id))
        .set(&gone)
        .execute(conn)?;
    journal_oversight(conn, access, "delete", Some(&current), &gone, true)
}

/// The cadres following an organisation on `today` (oversight started on or
/// before it and not ended), for `GET /organisations/{id}`. The caller has
/// already checked that the organisation is in scope.
pub fn current_overseers(
    conn: &mut DbConnection,
    organisation_id: &str,
    today: NaiveDate,
) -> ApiResult<Vec<Overseer>> {
    let rows: Vec<OversightRow> = ov::table
        .filter(ov::deleted_at.is_null())
        .filter(ov::organisation_id.eq(organisation_id))
        .filter(ov::starts_on.le(today))
        .filter(ov::ends_on.is_null().or(ov::ends_on.gt(today)))
        .order((ov::starts_on.asc(), ov::id.asc()))
        .load(conn)?;
    // Most organisations have no overseer: no second round trip for them.
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let names: HashMap<String, String> = c::table
        .inner_join(people::table)
        .filter(c::id.eq_any(rows.iter().map(|r| r.cadre_id.clone()).collect::<Vec<_>>()))
        .filter(c::deleted_at.is_null())
        .select((c::id, people::full_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            names.get(&row.cadre_id).map(|full_name| Overseer {
                cadre_id: row.cadre_id.clone(),
                full_name: full_name.clone(),
                starts_on: row.starts_on,
            })
        })
        .collect())
}
