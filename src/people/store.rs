//! Database work for people. A person is visible to a scoped caller when one
//! of its member or candidate records is inside the caller's subtree.

use diesel::prelude::*;

use super::model::*;
use super::rules;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::search::{contains_pattern, fold};
use crate::api::{check_version, new_id, now};
use crate::audit::{self, image, Write};
use crate::auth::{Access, Right};
use crate::db::organisation_ids_in;
use crate::db::schema::{cadres, candidates, members, organisations, people as p};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;

pub const SORT_FIELDS: &[&str] = &["id", "full_name", "created_at", "updated_at"];
pub const RECORD_TYPE: &str = "person";

type Query = p::BoxedQuery<'static, DbBackend>;

fn visible(access: &Access) -> Query {
    let mut query = p::table.filter(p::deleted_at.is_null()).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        let in_scope = || organisation_ids_in(lo.clone(), hi.clone());
        query = query.filter(
            p::id
                .eq_any(
                    members::table
                        .filter(members::deleted_at.is_null())
                        .filter(members::organisation_id.eq_any(in_scope()))
                        .select(members::person_id),
                )
                .or(p::id.eq_any(
                    candidates::table
                        .filter(candidates::deleted_at.is_null())
                        .filter(candidates::organisation_id.eq_any(in_scope()))
                        .select(candidates::person_id),
                ))
                .or(p::id.eq_any(
                    cadres::table
                        .filter(cadres::deleted_at.is_null())
                        .filter(
                            cadres::organisation_id
                                .eq_any(in_scope().select(organisations::id.nullable())),
                        )
                        .select(cadres::person_id),
                )),
        );
    }
    query
}

/// People by id, in one query, for embedding in the views of their records
/// (the records' own scope check covers them).
pub fn by_ids(
    conn: &mut DbConnection,
    ids: Vec<String>,
) -> ApiResult<std::collections::HashMap<String, PersonRow>> {
    Ok(p::table
        .filter(p::id.eq_any(ids))
        .load::<PersonRow>(conn)?
        .into_iter()
        .map(|person| (person.id.clone(), person))
        .collect())
}

/// One person in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<PersonRow> {
    Ok(visible(access)
        .filter(p::id.eq(id.to_owned()))
        .first(conn)?)
}

/// The organisation path a person's records sit under (its member record,
/// else a candidate record), for scoping the journal.
pub fn path_of(conn: &mut DbConnection, person_id: &str) -> ApiResult<Option<String>> {
    let member_path: Option<String> = members::table
        .inner_join(organisations::table)
        .filter(members::person_id.eq(person_id))
        .filter(members::deleted_at.is_null())
        .select(organisations::path)
        .first(conn)
        .optional()?;
    if member_path.is_some() {
        return Ok(member_path);
    }
    Ok(candidates::table
        .inner_join(organisations::table.on(organisations::id.eq(candidates::organisation_id)))
        .filter(candidates::person_id.eq(person_id))
        .filter(candidates::deleted_at.is_null())
        .select(organisations::path)
        .first(conn)
        .optional()?)
}

fn filtered(access: &Access, filters: &PersonFilters) -> Query {
    let mut query = visible(access);
    if let Some(gender) = filters.gender {
        query = query.filter(p::gender.eq(gender.as_str()));
    }
    if let Some(ethnicity) = filters.ethnicity {
        query = query.filter(p::ethnicity.eq(ethnicity.as_str()));
    }
    if let Some(locality) = &filters.residence_locality_id {
        query = query.filter(p::residence_locality_id.eq(locality.clone()));
    }
    if let Some(q) = &filters.q {
        query = query.filter(p::search_name.like(contains_pattern(q)).escape('\\'));
    }
    query
}

/// A page of people.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &PersonFilters,
    page: &PageRequest,
) -> ApiResult<Page<Person>> {
    let query = filtered(access, filters);
    let query = match page.sort_field {
        "full_name" => keyset!(query, page, p::full_name, p::id, key::text),
        "created_at" => keyset!(query, page, p::created_at, p::id, key::instant),
        "updated_at" => keyset!(query, page, p::updated_at, p::id, key::instant),
        _ => keyset!(query, page, p::id, p::id, key::text),
    };
    let rows: Vec<PersonRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(access, filters).count().get_result(conn)?)
    } else {
        None
    };
    let personal = access.may(Right::ReadPersonal);
    let key_of = |row: &PersonRow| After {
        key: match page.sort_field {
            "full_name" => row.full_name.clone(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, |row| Person::view(row, personal), total))
}

/// Reads one person; a full read by a role that sees personal data is audited.
pub fn read(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<Person> {
    let row = find(conn, access, id)?;
    let personal = access.may(Right::ReadPersonal);
    if personal {
        let path = path_of(conn, id)?;
        audit::record_read(conn, access, RECORD_TYPE, id, path.as_deref())?;
    }
    Ok(Person::view(row, personal))
}

fn check_fields(row: &PersonRow, errors: &mut Vec<FieldError>) {
    let name = row.full_name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        errors.push(FieldError::new(
            "full_name",
            "invalid_name",
            Msg::LengthBetween
                .with("field", "full_name")
                .with("min", 1)
                .with("max", 255),
        ));
    }
    if let Some(id) = &row.national_id {
        if !rules::national_id_well_formed(id) {
            errors.push(FieldError::new(
                "national_id",
                "invalid_national_id",
                Msg::InvalidNationalId,
            ));
        }
    }
    if let Some(grade) = row.general_education {
        if !rules::general_education_valid(grade) {
            errors.push(FieldError::new(
                "general_education",
                "out_of_range",
                Msg::RangeBetween
                    .with("field", "general_education")
                    .with("min", 0)
                    .with("max", 12),
            ));
        }
    }
    if row.date_of_birth > chrono::Utc::now().date_naive() {
        errors.push(FieldError::new(
            "date_of_birth",
            "in_the_future",
            Msg::InTheFuture.with("field", "date_of_birth"),
        ));
    }
}

fn check_references(conn: &mut DbConnection, row: &PersonRow, id: &str) -> ApiResult<()> {
    if let Some(national_id) = &row.national_id {
        let query = p::table
            .filter(p::national_id.eq(national_id))
            .filter(p::deleted_at.is_null())
            .filter(p::id.ne(id))
            .count();
        let taken: i64 = crate::on_backend!(conn, |c| query.get_result(c))?;
        if taken > 0 {
            return Err(ApiError::conflict(
                "duplicate_national_id",
                Msg::DuplicateNationalId,
            ));
        }
    }
    if let Some(locality) = &row.residence_locality_id {
        crate::localities::store::find(conn, locality)
            .map_err(|e| e.for_reference("residence_locality_id"))?;
    }
    Ok(())
}

/// Inserts a person (validated, national id unique); the caller journals it
/// under the record it belongs to.
pub fn insert(conn: &mut DbConnection, new: NewPerson) -> ApiResult<PersonRow> {
    let row = new_row(new)?;
    check_references(conn, &row, &row.id)?;
    let insert = diesel::insert_into(p::table).values(&row);
    crate::on_backend!(conn, |c| insert.execute(c))?;
    Ok(row)
}

/// The row of a new person, with its own fields checked; what it refers to
/// (citizen id taken, residence) is for the caller to check.
pub fn new_row(new: NewPerson) -> ApiResult<PersonRow> {
    let at = now();
    let row = PersonRow {
        id: new_id(),
        search_name: fold(&new.full_name),
        full_name: new.full_name.trim().to_owned(),
        gender: new.gender.as_str().to_owned(),
        date_of_birth: new.date_of_birth,
        ethnicity: new.ethnicity.as_str().to_owned(),
        religion: new.religion,
        national_id: new.national_id,
        place_of_birth: new.place_of_birth,
        hometown: new.hometown,
        residence_locality_id: new.residence_locality_id,
        address: new.address,
        phone: new.phone,
        email: new.email,
        general_education: new.general_education,
        professional_level: new.professional_level.map(|v| v.as_str().to_owned()),
        political_theory: new.political_theory.map(|v| v.as_str().to_owned()),
        occupation: new.occupation,
        workplace: new.workplace,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    let mut errors = Vec::new();
    check_fields(&row, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(row)
}

/// Journals a person's creation.
pub fn journal_created(
    conn: &mut DbConnection,
    access: &Access,
    row: &PersonRow,
    path: Option<&str>,
) -> ApiResult<()> {
    audit::record(conn, access, created(row, path))
}

/// The journal entry of a person's creation, under `path` (the record it
/// was created with).
pub fn created<'a>(row: &'a PersonRow, path: Option<&'a str>) -> Write<'a> {
    Write {
        action: "create",
        record_type: RECORD_TYPE,
        record_id: &row.id,
        organisation_path: path,
        version: row.version,
        before: None,
        after: image(&Person::view(row.clone(), true)),
    }
}

/// `POST /people`: only unscoped writers, since a person with no member or
/// candidate record would be invisible to a scoped caller; scoped callers
/// create people inline with the member or candidate record.
pub fn create(conn: &mut DbConnection, access: &Access, new: NewPerson) -> ApiResult<Person> {
    if access.scope.root_id().is_some() {
        return Err(ApiError::Forbidden);
    }
    let row = insert(conn, new)?;
    journal_created(conn, access, &row, None)?;
    Ok(Person::view(row, access.may(Right::ReadPersonal)))
}

/// Applies a merge patch to a person.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: PersonPatch,
    expected: Option<i64>,
) -> ApiResult<Person> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut gender = crate::vocabularies::Gender::from_db(&current.gender);
    let mut ethnicity = crate::vocabularies::Ethnicity::from_db(&current.ethnicity);
    set_required(
        &mut next.full_name,
        patch.full_name,
        "full_name",
        &mut errors,
    );
    set_required(&mut gender, patch.gender, "gender", &mut errors);
    set_required(
        &mut next.date_of_birth,
        patch.date_of_birth,
        "date_of_birth",
        &mut errors,
    );
    set_required(&mut ethnicity, patch.ethnicity, "ethnicity", &mut errors);
    set_nullable(&mut next.religion, patch.religion);
    set_nullable(&mut next.national_id, patch.national_id);
    set_nullable(&mut next.place_of_birth, patch.place_of_birth);
    set_nullable(&mut next.hometown, patch.hometown);
    set_nullable(&mut next.residence_locality_id, patch.residence_locality_id);
    set_nullable(&mut next.address, patch.address);
    set_nullable(&mut next.phone, patch.phone);
    set_nullable(&mut next.email, patch.email);
    set_nullable(&mut next.general_education, patch.general_education);
    if let Some(level) = patch.professional_level {
        next.professional_level = level.map(|v| v.as_str().to_owned());
    }
    if let Some(level) = patch.political_theory {
        next.political_theory = level.map(|v| v.as_str().to_owned());
    }
    set_nullable(&mut next.occupation, patch.occupation);
    set_nullable(&mut next.workplace, patch.workplace);
    next.gender = gender.as_str().to_owned();
    next.ethnicity = ethnicity.as_str().to_owned();
    next.full_name = next.full_name.trim().to_owned();
    next.search_name = fold(&next.full_name);
    check_fields(&next, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let personal = access.may(Right::ReadPersonal);
    if next == current {
        return Ok(Person::view(current, personal));
    }
    check_references(conn, &next, id)?;
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(p::table.find(id)).set(&next).execute(conn)?;
    if next.search_name != current.search_name {
        // Member and candidate lists search the name without a join.
        diesel::update(members::table.filter(members::person_id.eq(id)))
            .set(members::search_name.eq(&next.search_name))
            .execute(conn)?;
        diesel::update(candidates::table.filter(candidates::person_id.eq(id)))
            .set(candidates::search_name.eq(&next.search_name))
            .execute(conn)?;
    }
    let path = path_of(conn, id)?;
    audit::record(
        conn,
        access,
        Write {
            action: "update",
            record_type: RECORD_TYPE,
            record_id: id,
            organisation_path: path.as_deref(),
            version: next.version,
            before: image(&Person::view(current, true)),
            after: image(&Person::view(next.clone(), true)),
        },
    )?;
    Ok(Person::view(next, personal))
}

/// Soft-deletes a person entered by mistake; refused while a member or
/// candidate record refers to it.
pub fn delete(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let used: i64 = members::table
        .filter(members::person_id.eq(id))
        .filter(members::deleted_at.is_null())
        .count()
        .get_result::<i64>(conn)?
        + candidates::table
            .filter(candidates::person_id.eq(id))
            .filter(candidates::deleted_at.is_null())
            .count()
            .get_result::<i64>(conn)?;
    if used > 0 {
        return Err(ApiError::conflict("in_use", Msg::PersonInUse));
    }
    let at = now();
    let version = current.version + 1;
    diesel::update(p::table.find(id))
        .set((
            p::deleted_at.eq(Some(at)),
            p::updated_at.eq(at),
            p::version.eq(version),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        access,
        Write {
            action: "delete",
            record_type: RECORD_TYPE,
            record_id: id,
            organisation_path: None,
            version,
            before: image(&Person::view(current, true)),
            after: None,
        },
    )
}
