//! Database work for study campaigns and participations. A campaign is in
//! scope when its organisation is inside the caller's subtree (one run by
//! no organisation is visible only to unscoped callers); participations
//! follow their campaign.

use diesel::prelude::*;

use super::model::*;
use super::rules::attended_exceeds_invited;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::search::{contains_pattern, fold};
use crate::api::{check_version, new_id, now};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access};
use crate::cadres::store::organisation_path;
use crate::db::schema::{organisations, participations as pt, study_campaigns as s};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;

pub const SORT_FIELDS: &[&str] = &["id", "created_at", "updated_at"];
pub const PARTICIPATION_SORT_FIELDS: &[&str] = &["id", "created_at"];
const RECORD_TYPE: &str = "study_campaign";
const PARTICIPATION_TYPE: &str = "participation";

type Query = s::BoxedQuery<'static, DbBackend>;

fn within(query: Query, lo: String, hi: String) -> Query {
    query.filter(
        s::organisation_id.eq_any(
            organisations::table
                .filter(organisations::path.ge(lo))
                .filter(organisations::path.lt(hi))
                .select(organisations::id.nullable()),
        ),
    )
}

/// Live campaigns run inside the caller's scope.
fn visible(access: &Access) -> Query {
    let query = s::table.filter(s::deleted_at.is_null()).into_boxed();
    match access.scope.path_range() {
        Some((lo, hi)) => within(query, lo, hi),
        None => query,
    }
}

/// One campaign in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<StudyCampaignRow> {
    Ok(visible(access)
        .filter(s::id.eq(id.to_owned()))
        .first(conn)?)
}

fn filtered(
    conn: &mut DbConnection,
    access: &Access,
    filters: &StudyCampaignFilters,
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
    if let Some(year) = filters.year {
        query = query.filter(s::year.eq(year));
    }
    if let Some(q) = &filters.q {
        query = query.filter(s::search_name.like(contains_pattern(q)).escape('\\'));
    }
    Ok(query)
}

/// A page of campaigns.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &StudyCampaignFilters,
    page: &PageRequest,
) -> ApiResult<Page<StudyCampaign>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "created_at" => keyset!(query, page, s::created_at, s::id, key::instant),
        "updated_at" => keyset!(query, page, s::updated_at, s::id, key::instant),
        _ => keyset!(query, page, s::id, s::id, key::text),
    };
    let rows: Vec<StudyCampaignRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &StudyCampaignRow| After {
        key: match page.sort_field {
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, StudyCampaign::from, total))
}

fn journal(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&StudyCampaignRow>,
    after: &StudyCampaignRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = organisation_path(conn, after.organisation_id.as_deref())?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: RECORD_TYPE,
            record_id: &after.id,
            organisation_path: path.as_deref(),
            version: after.version,
            before: before.and_then(|r| image(&StudyCampaign::from(r.clone()))),
            after: if deleted {
                None
            } else {
                image(&StudyCampaign::from(after.clone()))
            },
        },
    )
}

fn validated(
    row: &StudyCampaignRow,
    documents: &[String],
    mut errors: Vec<FieldError>,
) -> ApiResult<()> {
    let title = row.title.trim();
    if title.is_empty() || title.chars().count() > 255 {
        errors.push(FieldError::new(
            "title",
            "invalid_title",
            Msg::LengthBetween
                .with("field", "title")
                .with("min", 1)
                .with("max", 255),
        ));
    }
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
    if documents
        .iter()
        .any(|d| d.trim().is_empty() || d.chars().count() > 500)
    {
        errors.push(FieldError::new(
            "documents",
            "invalid_document",
            Msg::InvalidDocument,
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Creates a campaign, run by the named organisation or the caller's scope root.
pub fn create(
    conn: &mut DbConnection,
    access: &Access,
    new: NewStudyCampaign,
) -> ApiResult<StudyCampaign> {
    let at = now();
    let mut row = StudyCampaignRow {
        id: new_id(),
        search_name: fold(&new.title),
        title: new.title.trim().to_owned(),
        year: new.year,
        documents: serde_json::to_string(&new.documents).unwrap_or_else(|_| "[]".to_owned()),
        organisation_id: new
            .organisation_id
            .or_else(|| access.scope.root_id().map(str::to_owned)),
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    validated(&row, &new.documents, Vec::new())?;
    if let Some(id) = &row.organisation_id {
        row.organisation_id = Some(
            crate::organisations::store::find_reference(conn, access, id, "organisation_id")?.id,
        );
    }
    diesel::insert_into(s::table).values(&row).execute(conn)?;
    journal(conn, access, "create", None, &row, false)?;
    Ok(StudyCampaign::from(row))
}

/// Applies a merge patch to a campaign.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: StudyCampaignPatch,
    expected: Option<i64>,
) -> ApiResult<StudyCampaign> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut documents = current.documents();
    set_required(&mut next.title, patch.title, "title", &mut errors);
    set_required(&mut next.year, patch.year, "year", &mut errors);
    set_required(&mut documents, patch.documents, "documents", &mut errors);
    set_nullable(&mut next.organisation_id, patch.organisation_id);
    if next.organisation_id.is_none() && access.scope.root_id().is_some() {
        errors.push(FieldError::new(
            "organisation_id",
            "required",
            Msg::NotNullWhenScoped.with("field", "organisation_id"),
        ));
    }
    next.title = next.title.trim().to_owned();
    next.search_name = fold(&next.title);
    next.documents = serde_json::to_string(&documents).unwrap_or_else(|_| "[]".to_owned());
    validated(&next, &documents, errors)?;
    if next == current {
        return Ok(StudyCampaign::from(current));
    }
    if let (Some(organisation_id), true) = (
        &next.organisation_id,
        next.organisation_id != current.organisation_id,
    ) {
        crate::organisations::store::find_reference(
            conn,
            access,
            organisation_id,
            "organisation_id",
        )?;
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(s::table.find(id)).set(&next).execute(conn)?;
    journal(conn, access, "update", Some(&current), &next, false)?;
    Ok(StudyCampaign::from(next))
}

/// Soft-deletes a campaign entered by mistake.
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
    diesel::update(s::table.find(id)).set(&gone).execute(conn)?;
    journal(conn, access, "delete", Some(&current), &gone, true)
}

// ---- Participations ----

type ParticipationQuery = pt::BoxedQuery<'static, DbBackend>;

fn participations_of(campaign_id: &str) -> ParticipationQuery {
    pt::table
        .filter(pt::deleted_at.is_null())
        .filter(pt::campaign_id.eq(campaign_id.to_owned()))
        .into_boxed()
}

/// One participation of a campaign in scope, or 404.
pub fn find_participation(
    conn: &mut DbConnection,
    access: &Access,
    campaign_id: &str,
    id: &str,
) -> ApiResult<ParticipationRow> {
    find(conn, access, campaign_id)?;
    Ok(participations_of(campaign_id)
        .filter(pt::id.eq(id.to_owned()))
        .first(conn)?)
}

/// A page of a campaign's participations.
pub fn list_participations(
    conn: &mut DbConnection,
    access: &Access,
    campaign_id: &str,
    page: &PageRequest,
) -> ApiResult<Page<Participation>> {
    find(conn, access, campaign_id)?;
    let query = participations_of(campaign_id);
    let query = match page.sort_field {
        "created_at" => keyset!(query, page, pt::created_at, pt::id, key::instant),
        _ => keyset!(query, page, pt::id, pt::id, key::text),
    };
    let rows: Vec<ParticipationRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(participations_of(campaign_id).count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &ParticipationRow| After {
        key: match page.sort_field {
            "created_at" => key::instant_text(&row.created_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    Ok(page.page(rows, key_of, Participation::from, total))
}

fn journal_participation(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&ParticipationRow>,
    after: &ParticipationRow,
    deleted: bool,
) -> ApiResult<()> {
    let path = organisation_path(conn, Some(&after.organisation_id))?;
    audit::record(
        conn,
        access,
        Write {
            action,
            record_type: PARTICIPATION_TYPE,
            record_id: &after.id,
            organisation_path: path.as_deref(),
            version: after.version,
            before: before.and_then(|r| image(&Participation::from(r.clone()))),
            after: if deleted {
                None
            } else {
                image(&Participation::from(after.clone()))
            },
        },
    )
}

/// Counts are never negative; attended masses within those invited (422).
fn validated_participation(row: &ParticipationRow, mut errors: Vec<FieldError>) -> ApiResult<()> {
    for (field, value) in [
        ("members_attended", row.members_attended),
        ("masses_invited", row.masses_invited),
        ("masses_attended", row.masses_attended),
    ] {
        if value < 0 {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                Msg::NotNegative.with("field", field),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if attended_exceeds_invited(row.masses_invited, row.masses_attended) {
        return Err(ApiError::RuleBroken {
            code: "attended_exceeds_invited",
            detail: Msg::AttendedExceedsInvited.into(),
            errors: vec![FieldError::new(
                "masses_attended",
                "attended_exceeds_invited",
                Msg::AttendedAtMostInvited,
            )],
        });
    }
    Ok(())
}

/// The participating organisation: in scope, and a grassroots organisation
/// (participation is reported per grassroots organisation, SPEC 5 and 7).
fn participant(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<String> {
    let organisation =
        crate::organisations::store::find_reference(conn, access, id, "organisation_id")?;
    if !crate::organisations::rules::is_grassroots(organisation.kind()) {
        return Err(ApiError::RuleBroken {
            code: "not_grassroots",
            detail: Msg::ParticipationOfGrassroots.into(),
            errors: vec![FieldError::new(
                "organisation_id",
                "not_grassroots",
                Msg::NotGrassroots,
            )],
        });
    }
    Ok(organisation.id)
}

/// Records how a grassroots organisation took part (once per campaign).
pub fn create_participation(
    conn: &mut DbConnection,
    access: &Access,
    campaign_id: &str,
    new: NewParticipation,
) -> ApiResult<Participation> {
    let campaign = find(conn, access, campaign_id)?;
    let at = now();
    let mut row = ParticipationRow {
        id: new_id(),
        campaign_id: campaign.id,
        organisation_id: new.organisation_id,
        held: new.held,
        members_attended: new.members_attended,
        masses_invited: new.masses_invited,
        masses_attended: new.masses_attended,
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    row.organisation_id = participant(conn, access, &row.organisation_id)?;
    validated_participation(&row, Vec::new())?;
    let taken: i64 = participations_of(&row.campaign_id)
        .filter(pt::organisation_id.eq(row.organisation_id.clone()))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "duplicate_participation",
            Msg::DuplicateParticipation,
        ));
    }
    diesel::insert_into(pt::table).values(&row).execute(conn)?;
    journal_participation(conn, access, "create", None, &row, false)?;
    Ok(Participation::from(row))
}

/// Applies a merge patch to a participation.
pub fn update_participation(
    conn: &mut DbConnection,
    access: &Access,
    campaign_id: &str,
    id: &str,
    patch: ParticipationPatch,
    expected: Option<i64>,
) -> ApiResult<Participation> {
    let current = find_participation(conn, access, campaign_id, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    set_required(&mut next.held, patch.held, "held", &mut errors);
    set_required(
        &mut next.members_attended,
        patch.members_attended,
        "members_attended",
        &mut errors,
    );
    set_required(
        &mut next.masses_invited,
        patch.masses_invited,
        "masses_invited",
        &mut errors,
    );
    set_required(
        &mut next.masses_attended,
        patch.masses_attended,
        "masses_attended",
        &mut errors,
    );
    validated_participation(&next, errors)?;
    if next == current {
        return Ok(Participation::from(current));
    }
    next.version = current.version + 1;
    next.updated_at = now();
    diesel::update(pt::table.find(id))
        .set(&next)
        .execute(conn)?;
    journal_participation(conn, access, "update", Some(&current), &next, false)?;
    Ok(Participation::from(next))
}

/// Soft-deletes a participation entered by mistake.
pub fn delete_participation(
    conn: &mut DbConnection,
    access: &Access,
    campaign_id: &str,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find_participation(conn, access, campaign_id, id)?;
    check_version(expected, current.version)?;
    let mut gone = current.clone();
    gone.deleted_at = Some(now());
    gone.updated_at = now();
    gone.version = current.version + 1;
    diesel::update(pt::table.find(id))
        .set(&gone)
        .execute(conn)?;
    journal_participation(conn, access, "delete", Some(&current), &gone, true)
}
