//! Database work for village charges. A charge is in scope when its member is.

use diesel::prelude::*;

use super::model::*;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::{check_version, new_id, now};
use crate::appointments::rules::check_period;
use crate::audit::{self, image, Write};
use crate::auth::Access;
use crate::cadres::store::organisation_path;
use crate::db::schema::{members, village_charges as v};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;

pub const SORT_FIELDS: &[&str] = &["id", "starts_on"];
const RECORD_TYPE: &str = "village_charge";

type Query = v::BoxedQuery<'static, DbBackend>;

/// Live charges of one member (the member's scope check comes first).
fn charges_of(member_id: &str) -> Query {
    v::table
        .filter(v::deleted_at.is_null())
        .filter(v::member_id.eq(member_id.to_owned()))
        .into_boxed()
}

/// One charge of a member in scope, or 404.
pub fn find_charge(
    conn: &mut DbConnection,
    access: &Access,
    member_id: &str,
    id: &str,
) -> ApiResult<VillageChargeRow> {
    crate::members::store::find(conn, access, member_id)?;
    Ok(charges_of(member_id)
        .filter(v::id.eq(id.to_owned()))
        .first(conn)?)
}

/// A page of a member's village charges.
pub fn list_charges(
    conn: &mut DbConnection,
    access: &Access,
    member_id: &str,
    page: &PageRequest,
) -> ApiResult<Page<VillageCharge>> {
    crate::members::store::find(conn, access, member_id)?;
    let query = charges_of(member_id);
    let query = match page.sort_field {
        "starts_on" => keyset!(query, page, v::starts_on, v::id, key::date),
        _ => keyset!(query, page, v::id, v::id, key::text),
    };
    let rows: Vec<VillageChargeRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(charges_of(member_id).count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &VillageChargeRow| After {
        key: match page.sort_field {
            "starts_on" => row.starts_on.to_string(),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, VillageCharge::from, total))
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&VillageChargeRow>,
    after: &VillageChargeRow,
    deleted: bool,
) -> ApiResult<()> {
    let cell: String = members::table
        .find(&after.member_id)
        .select(members::organisation_id)
        .first(conn)?;
    let path = organisation_path(conn, Some(&cell))?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &after.id,
            organisation_path: path.as_deref(),
            version: after.version,
            before: before.and_then(|r| image(&VillageCharge::from(r.clone()))),
            after: if deleted {
                None
            } else {
                image(&VillageCharge::from(after.clone()))
            },
        },
    )
}

/// The locality must exist and be a village or residential group (SPEC 2:
/// "villages" are both; a member in charge builds a cell in a village).
fn village(conn: &mut DbConnection, id: &str) -> ApiResult<String> {
    let locality =
        crate::localities::store::find(conn, id).map_err(|e| e.for_reference("locality_id"))?;
    let kind = crate::vocabularies::LocalityKind::from_db(&locality.kind);
    if !crate::localities::rules::is_village(kind) {
        return Err(ApiError::RuleBroken {
            code: "not_a_village",
            detail: Msg::VillageChargeOfVillage.into(),
            errors: vec![FieldError::new(
                "locality_id",
                "not_a_village",
                Msg::NotAVillage,
            )],
        });
    }
    Ok(locality.id)
}

fn validated(row: &VillageChargeRow, mut errors: Vec<FieldError>) -> ApiResult<()> {
    check_period(row.starts_on, row.ends_on, "ends_on", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Puts a member in charge of a village.
pub fn create_charge(
    conn: &mut DbConnection,
    access: &Access,
    member_id: &str,
    new: NewVillageCharge,
) -> ApiResult<VillageCharge> {
    let member = crate::members::store::find(conn, access, member_id)?;
    let at = now();
    let mut row = VillageChargeRow {
        id: new_id(),
        member_id: member.id,
        locality_id: new.locality_id,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    validated(&row, Vec::new())?;
    row.locality_id = village(conn, &row.locality_id)?;
    diesel::insert_into(v::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, &row, false)?;
    Ok(VillageCharge::from(row))
}

/// Applies a merge patch to a village charge.
pub fn update_charge(
    conn: &mut DbConnection,
    access: &Access,
    member_id: &str,
    id: &str,
    patch: VillageChargePatch,
    expected: Option<i64>,
) -> ApiResult<VillageCharge> {
    let current = find_charge(conn, access, member_id, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    set_required(
        &mut next.locality_id,
        patch.locality_id,
        "locality_id",
        &mut errors,
    );
    set_required(
        &mut next.starts_on,
        patch.starts_on,
        "starts_on",
        &mut errors,
    );
    set_nullable(&mut next.ends_on, patch.ends_on);
    validated(&next, errors)?;
    if next == current {
        return Ok(VillageCharge::from(current));
    }
    if next.locality_id != current.locality_id {
        village(conn, &next.locality_id)?;
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(v::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next, false)?;
    Ok(VillageCharge::from(next))
}

/// Soft-deletes a village charge entered by mistake.
pub fn delete_charge(
    conn: &mut DbConnection,
    access: &Access,
    member_id: &str,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find_charge(conn, access, member_id, id)?;
    check_version(expected, current.version)?;
    let mut gone = current.clone();
    gone.deleted_at = Some(now());
    gone.updated_at = now();
    gone.version = current.version + 1;
    diesel::update(v::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), &gone, true)
}
