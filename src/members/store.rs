//! Database work for members: registration, reads, and the dated actions.
//! Every action appends a member event carrying the member's status and home
//! cell right after it, in the same transaction as the change and its audit.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;

use super::model::*;
use super::rules;
use super::search::{self, Candidates, Walk};
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::set_nullable;
use crate::api::search::{contains_pattern, fold};
use crate::api::{check_version, new_id, now};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access, Right};
use crate::db::organisation_ids_in;
use crate::db::schema::{member_events as e, members as m, organisations, people};
use crate::db::{DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::organisations::model::OrganisationRow;
use crate::people::model::{Person, PersonRow};
use crate::vocabularies::{BadgeStatus, MemberEventKind, MemberStatus, TransferKind};

pub const SORT_FIELDS: &[&str] = &["id", "admitted_on", "created_at", "updated_at"];
const RECORD_TYPE: &str = "member";

type Query = m::BoxedQuery<'static, DbBackend>;

/// Live members whose home cell is inside the caller's scope.
fn visible(access: &Access) -> Query {
    let mut query = m::table.filter(m::deleted_at.is_null()).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(m::organisation_id.eq_any(organisation_ids_in(lo, hi)));
    }
    query
}

/// One member in scope, or 404.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<MemberRow> {
    Ok(visible(access)
        .filter(m::id.eq(id.to_owned()))
        .first(conn)?)
}

/// A member named in a body, in scope, or 404 naming the field.
pub fn find_reference(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    field: &'static str,
) -> ApiResult<MemberRow> {
    find(conn, access, id).map_err(|e| e.for_reference(field))
}

/// A cell in scope that members can belong to on `on`.
pub fn cell_for_members(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    field: &'static str,
    on: NaiveDate,
) -> ApiResult<OrganisationRow> {
    let cell = crate::organisations::store::find_reference(conn, access, id, field)?;
    check_cell_takes_members(&cell, field, on)?;
    Ok(cell)
}

/// Members belong to a cell (a grassroots cell or a subordinate one), and
/// none joins a cell dissolved by that day.
fn check_cell_takes_members(
    cell: &OrganisationRow,
    field: &'static str,
    on: NaiveDate,
) -> ApiResult<()> {
    if !crate::organisations::rules::is_cell(cell.kind()) {
        return Err(ApiError::RuleBroken {
            code: "not_a_cell",
            detail: Msg::NotACellDetail.into(),
            errors: vec![FieldError::new(field, "not_a_cell", Msg::NotACell)],
        });
    }
    if cell.dissolved_on.is_some_and(|d| d <= on) {
        return Err(ApiError::RuleBroken {
            code: "organisation_dissolved",
            detail: Msg::CellDissolvedOnThatDay.into(),
            errors: vec![FieldError::new(
                field,
                "organisation_dissolved",
                Msg::Dissolved,
            )],
        });
    }
    Ok(())
}

/// Views of member rows with their people, loaded in one query.
pub fn views(
    conn: &mut DbConnection,
    rows: Vec<MemberRow>,
    personal: bool,
) -> ApiResult<Vec<Member>> {
    let mut people =
        crate::people::store::by_ids(conn, rows.iter().map(|r| r.person_id.clone()).collect())?;
    rows.into_iter()
        .map(|row| {
            let person = people
                .remove(&row.person_id)
                .ok_or_else(|| ApiError::Internal(format!("member {} has no person", row.id)))?;
            Ok(Member::view(row, Person::view(person, personal)))
        })
        .collect()
}

fn view(conn: &mut DbConnection, row: MemberRow, personal: bool) -> ApiResult<Member> {
    let query = people::table.find(&row.person_id);
    let person: PersonRow = crate::on_backend!(conn, |c| query.first(c))?;
    Ok(Member::view(row, Person::view(person, personal)))
}

/// The name search's candidates through the trigram index, when that is
/// the faster plan for a read in `walk`'s way (see `search::candidates`).
fn name_candidates(
    conn: &mut DbConnection,
    filters: &MemberFilters,
    walk: Walk,
) -> ApiResult<Option<Candidates>> {
    match &filters.q {
        Some(q) => search::candidates(conn, &fold(q), walk),
        None => Ok(None),
    }
}

fn filtered(
    conn: &mut DbConnection,
    access: &Access,
    filters: &MemberFilters,
    candidates: Option<&Candidates>,
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
        query = query.filter(m::organisation_id.eq_any(organisation_ids_in(lo, hi)));
    }
    if let Some(status) = filters.status {
        query = query.filter(m::status.eq(status.as_str()));
    }
    if let Some(day) = filters.admitted_from {
        query = query.filter(m::admitted_on.ge(day));
    }
    if let Some(day) = filters.admitted_to {
        query = query.filter(m::admitted_on.le(day));
    }
    if let Some(q) = &filters.q {
        if let Some(candidates) = candidates {
            query = query.filter(candidates.narrowing());
        }
        query = query.filter(m::search_name.like(contains_pattern(q)).escape('\\'));
    }
    // Non-boxed subqueries: a boxed one cannot nest inside the multi-backend query.
    let gender = filters.gender.map(|g| g.as_str());
    let ethnicity = filters.ethnicity.map(|e| e.as_str());
    match (gender, ethnicity) {
        (Some(g), Some(e)) => {
            query = query.filter(
                m::person_id.eq_any(
                    people::table
                        .filter(people::gender.eq(g))
                        .filter(people::ethnicity.eq(e))
                        .select(people::id),
                ),
            );
        }
        (Some(g), None) => {
            query = query.filter(
                m::person_id.eq_any(
                    people::table
                        .filter(people::gender.eq(g))
                        .select(people::id),
                ),
            );
        }
        (None, Some(e)) => {
            query = query.filter(
                m::person_id.eq_any(
                    people::table
                        .filter(people::ethnicity.eq(e))
                        .select(people::id),
                ),
            );
        }
        (None, None) => {}
    }
    Ok(query)
}

/// A page of members with their people.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &MemberFilters,
    page: &PageRequest,
) -> ApiResult<Page<Member>> {
    // Only the id order has an index to walk a page along and stop.
    let walk = match page.sort_field {
        "id" => Walk::ById(page.fetch_limit()),
        _ => Walk::Everything,
    };
    let candidates = name_candidates(conn, filters, walk)?;
    let query = filtered(conn, access, filters, candidates.as_ref())?;
    let query = match page.sort_field {
        "admitted_on" => keyset!(query, page, m::admitted_on, m::id, key::date),
        "created_at" => keyset!(query, page, m::created_at, m::id, key::instant),
        "updated_at" => keyset!(query, page, m::updated_at, m::id, key::instant),
        _ => keyset!(query, page, m::id, m::id, key::text),
    };
    let rows: Vec<MemberRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        // A complete list of candidates serves the count too; a name too
        // common for the page's plan may still be rare enough to count.
        let candidates = match candidates {
            Some(found) => Some(found),
            None => name_candidates(conn, filters, Walk::Everything)?,
        };
        Some(
            filtered(conn, access, filters, candidates.as_ref())?
                .count()
                .get_result(conn)?,
        )
    } else {
        None
    };
    let key_of = |row: &MemberRow| After {
        key: match page.sort_field {
            "admitted_on" => row.admitted_on.to_string(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    let page_rows = page.page(rows, key_of, |row| row, total);
    let items = views(conn, page_rows.items, access.may(Right::ReadPersonal))?;
    Ok(Page {
        items,
        next_cursor: page_rows.next_cursor,
        total: page_rows.total,
    })
}

/// Reads one member; a full read by a role that sees personal data is audited.
///
/// The hot path of the register: one statement reads member, person and
/// cell path, written without boxing so its prepared statement is cached;
/// the scope is checked on the path.
pub fn read(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<Member> {
    let query = m::table
        .inner_join(people::table)
        .inner_join(organisations::table)
        .filter(m::id.eq(id))
        .filter(m::deleted_at.is_null())
        .select((m::all_columns, people::all_columns, organisations::path));
    let (row, person, path): (MemberRow, PersonRow, String) =
        crate::on_backend!(conn, |c| query.first(c))?;
    if !access.scope.covers(&path) {
        return Err(ApiError::NotFound);
    }
    let personal = access.may(Right::ReadPersonal);
    if personal {
        audit::record_read(conn, access, RECORD_TYPE, id, Some(&path))?;
    }
    Ok(Member::view(row, Person::view(person, personal)))
}

/// The member's events, oldest first.
pub fn events(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<Vec<MemberEvent>> {
    find(conn, access, id)?;
    let rows: Vec<MemberEventRow> = e::table
        .filter(e::member_id.eq(id))
        .order((e::occurred_on.asc(), e::id.asc()))
        .load(conn)?;
    let personal = access.may(Right::ReadPersonal);
    Ok(rows
        .into_iter()
        .map(|r| MemberEvent::view(r, personal))
        .collect())
}

/// The member's status and home cell as the register stood at the end of `day`.
pub fn state_on(
    conn: &mut DbConnection,
    member_id: &str,
    day: NaiveDate,
) -> ApiResult<Option<(MemberStatus, String)>> {
    let latest: Option<(String, String)> = e::table
        .filter(e::member_id.eq(member_id))
        .filter(e::occurred_on.le(day))
        .order((e::occurred_on.desc(), e::id.desc()))
        .select((e::status_after, e::organisation_after))
        .first(conn)
        .optional()?;
    Ok(latest.map(|(status, cell)| (MemberStatus::from_db(&status), cell)))
}

/// Periods counted in tuổi đảng, from the member's events.
pub fn membership_periods(conn: &mut DbConnection, member_id: &str) -> ApiResult<rules::Periods> {
    let rows: Vec<(NaiveDate, String)> = e::table
        .filter(e::member_id.eq(member_id))
        .order((e::occurred_on.asc(), e::id.asc()))
        .select((e::occurred_on, e::status_after))
        .load(conn)?;
    let mut periods = rules::Periods::new();
    let mut open: Option<NaiveDate> = None;
    for (day, status) in rows {
        // Leaving the register by transfer is not leaving the Party; only
        // removal, expulsion, resignation and death end a period.
        let inside = MemberStatus::from_db(&status).is_counted()
            || status == MemberStatus::TransferredOut.as_str();
        match (open, inside) {
            (None, true) => open = Some(day),
            (Some(from), false) => {
                periods.push((from, Some(day)));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(from) = open {
        periods.push((from, None));
    }
    Ok(periods)
}

fn last_event_day(conn: &mut DbConnection, member_id: &str) -> ApiResult<Option<NaiveDate>> {
    Ok(e::table
        .filter(e::member_id.eq(member_id))
        .select(diesel::dsl::max(e::occurred_on))
        .first(conn)?)
}

/// Actions are recorded in date order, so the register on any past date
/// stays the latest event before it.
fn check_in_order(
    conn: &mut DbConnection,
    member_id: &str,
    on: NaiveDate,
    field: &str,
) -> ApiResult<()> {
    if let Some(last) = last_event_day(conn, member_id)? {
        if on < last {
            return Err(ApiError::RuleBroken {
                code: "dated_before_last_event",
                detail: Msg::LastEventDated.with("date", last),
                errors: vec![FieldError::new(
                    field,
                    "dated_before_last_event",
                    Msg::EarlierThanLastEvent,
                )],
            });
        }
    }
    Ok(())
}

/// Sets each of the member's events' `superseded_on` to the day of the next
/// event in (day, id) order, so the register on a day is the events whose
/// span covers it. A member has a handful of events; only changed spans are
/// written (usually the one before the new event).
fn relink_spans(conn: &mut DbConnection, member_id: &str) -> ApiResult<()> {
    let query = e::table
        .filter(e::member_id.eq(member_id))
        .order((e::occurred_on.asc(), e::id.asc()))
        .select((e::id, e::occurred_on, e::superseded_on));
    let rows: Vec<(String, NaiveDate, Option<NaiveDate>)> =
        crate::on_backend!(conn, |c| query.load(c))?;
    for (id, until) in rules::spans(&rows) {
        let update = diesel::update(e::table.find(id)).set(e::superseded_on.eq(until));
        crate::on_backend!(conn, |c| update.execute(c))?;
    }
    Ok(())
}

/// One event to append.
pub struct NewEvent<'a> {
    pub kind: MemberEventKind,
    pub occurred_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    pub decision_number: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub detail: serde_json::Value,
}

/// The row of a new event of a member, with its state after it.
fn event_row(
    member_id: &str,
    status_after: &str,
    organisation_after: &str,
    event: NewEvent<'_>,
) -> MemberEventRow {
    MemberEventRow {
        id: new_id(),
        member_id: member_id.to_owned(),
        kind: event.kind.as_str().to_owned(),
        occurred_on: event.occurred_on,
        decided_on: event.decided_on,
        decision_number: event.decision_number.map(str::to_owned),
        reason: event.reason.map(str::to_owned),
        status_after: status_after.to_owned(),
        organisation_after: organisation_after.to_owned(),
        detail: Some(event.detail.to_string()),
        version: 1,
        created_at: now(),
        superseded_on: None,
    }
}

/// Appends an event with the member's state (as `member` now is) after it.
pub fn append_event(
    conn: &mut DbConnection,
    access: &Access,
    member: &MemberRow,
    event: NewEvent<'_>,
) -> ApiResult<MemberEventRow> {
    let row = event_row(&member.id, &member.status, &member.organisation_id, event);
    let insert = diesel::insert_into(e::table).values(&row);
    crate::on_backend!(conn, |c| insert.execute(c))?;
    relink_spans(conn, &member.id)?;
    let path = crate::organisations::store::path_of(conn, &member.organisation_id)?;
    audit::record(conn, access, event_created(&row, Some(&path)))?;
    Ok(row)
}

/// The journal entry of a new event, as it was inserted.
fn event_created<'a>(row: &'a MemberEventRow, path: Option<&'a str>) -> Write<'a> {
    Write {
        action: "create",
        record_type: "member_event",
        record_id: &row.id,
        organisation_path: path,
        version: row.version,
        before: None,
        after: image(&MemberEvent::view(row.clone(), true)),
    }
}

fn journal_member(
    conn: &mut DbConnection,
    access: &Access,
    action: &str,
    before: Option<&MemberRow>,
    after: &MemberRow,
) -> ApiResult<()> {
    let path = crate::organisations::store::path_of(conn, &after.organisation_id)?;
    let query = people::table.find(&after.person_id);
    let person: PersonRow = crate::on_backend!(conn, |c| query.first(c))?;
    let before_view = before.map(|b| Member::view(b.clone(), Person::view(person.clone(), true)));
    let after_view = Member::view(after.clone(), Person::view(person, true));
    let write = Write {
        action,
        record_type: RECORD_TYPE,
        record_id: &after.id,
        organisation_path: Some(&path),
        version: after.version,
        before: before_view.as_ref().and_then(image),
        after: image(&after_view),
    };
    match before.filter(|b| b.organisation_id != after.organisation_id) {
        Some(before) => {
            let previous = crate::organisations::store::path_of(conn, &before.organisation_id)?;
            audit::record_moved(conn, access, write, &previous)
        }
        None => audit::record(conn, access, write),
    }
}

/// Stores a changed member with a new version and journals it.
pub fn save(
    conn: &mut DbConnection,
    access: &Access,
    before: &MemberRow,
    mut after: MemberRow,
    action: &str,
) -> ApiResult<Member> {
    after.version = before.version + 1;
    after.updated_at = now();
    diesel::update(m::table.find(&after.id))
        .set(&after)
        .execute(conn)?;
    journal_member(conn, access, action, Some(before), &after)?;
    view(conn, after, access.may(Right::ReadPersonal))
}

fn check_member_number_free(
    conn: &mut DbConnection,
    number: &str,
    except_id: &str,
) -> ApiResult<()> {
    let query = m::table
        .filter(m::member_number.eq(number))
        .filter(m::deleted_at.is_null())
        .filter(m::id.ne(except_id))
        .count();
    let taken: i64 = crate::on_backend!(conn, |c| query.get_result(c))?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "duplicate_member_number",
            Msg::DuplicateMemberNumber.with("number", number),
        ));
    }
    Ok(())
}

fn check_card_free(conn: &mut DbConnection, number: &str) -> ApiResult<()> {
    let query = m::table
        .filter(m::card_number.eq(number))
        .filter(m::deleted_at.is_null())
        .count();
    let taken: i64 = crate::on_backend!(conn, |c| query.get_result(c))?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "duplicate_card_number",
            Msg::DuplicateCardNumber.with("number", number),
        ));
    }
    Ok(())
}

/// The person for a new member or candidate: an existing one the caller can
/// see, or a new one from the inline record.
pub fn person_for(
    conn: &mut DbConnection,
    access: &Access,
    person_id: Option<String>,
    person: Option<crate::people::model::NewPerson>,
) -> ApiResult<(PersonRow, bool)> {
    match (person_id, person) {
        (Some(id), None) => {
            // A person with no record yet is visible only to unscoped callers.
            let found = crate::people::store::find(conn, access, &id)
                .map_err(|e| e.for_reference("person_id"))?;
            Ok((found, false))
        }
        (None, Some(new)) => Ok((crate::people::store::insert(conn, new)?, true)),
        _ => Err(ApiError::invalid_field(
            "person_id",
            "person_required",
            Msg::PersonRequired,
        )),
    }
}

fn check_not_a_member(conn: &mut DbConnection, person_id: &str) -> ApiResult<()> {
    let query = m::table
        .filter(m::person_id.eq(person_id))
        .filter(m::deleted_at.is_null())
        .count();
    let existing: i64 = crate::on_backend!(conn, |c| query.get_result(c))?;
    if existing > 0 {
        return Err(ApiError::conflict("already_member", Msg::AlreadyMember));
    }
    Ok(())
}

/// Inserts member rows together, each name entered in the name-search
/// index (`search`), without journalling them.
pub fn insert_rows(conn: &mut DbConnection, rows: &[MemberRow]) -> QueryResult<()> {
    let newest = search::newest_rowid(conn)?;
    crate::bulk_insert!(conn, m::table, rows);
    search::index_inserted_since(conn, newest)
}

/// Inserts a member row and journals it and its person.
pub fn insert(
    conn: &mut DbConnection,
    access: &Access,
    row: &MemberRow,
    person: &PersonRow,
    person_is_new: bool,
) -> ApiResult<()> {
    check_not_a_member(conn, &row.person_id)?;
    if let Some(number) = &row.member_number {
        check_member_number_free(conn, number, &row.id)?;
    }
    if let Some(card) = &row.card_number {
        check_card_free(conn, card)?;
    }
    let insert = diesel::insert_into(m::table).values(row);
    crate::on_backend!(conn, |c| insert.execute(c))?;
    search::index_last_inserted(conn, &row.search_name)?;
    if person_is_new {
        let path = crate::organisations::store::path_of(conn, &row.organisation_id)?;
        crate::people::store::journal_created(conn, access, person, Some(&path))?;
    }
    journal_member(conn, access, "create", None, row)
}

/// A registration as decided from its request alone: the member's status,
/// official day and the day it joined this register.
struct Registration {
    status: MemberStatus,
    official_on: Option<NaiveDate>,
    joined_on: NaiveDate,
}

/// Checks a registration's own fields: a registered member is probationary,
/// official or exempt; an official one's day defaults to 12 months after
/// admission (12 months' probation, official status dating from that point:
/// Party Charter art. 5, QĐ 24-QĐ/TW 4.1–4.3, via `rules::official_from`); a
/// probationary one has no official day and no card (the Party card is for
/// official members only: RULES.md "Party card", thuvienphapluat 45EDC).
fn registration(new: &NewMember, today: NaiveDate) -> ApiResult<Registration> {
    let status = new.status.unwrap_or(if new.official_on.is_some() {
        MemberStatus::Official
    } else {
        MemberStatus::Probationary
    });
    let mut errors = Vec::new();
    if !matches!(
        status,
        MemberStatus::Probationary | MemberStatus::Official | MemberStatus::Exempt
    ) {
        errors.push(FieldError::new(
            "status",
            "invalid_status",
            Msg::RegisteredStatus,
        ));
    }
    if new.admitted_on > today {
        errors.push(FieldError::new(
            "admitted_on",
            "in_the_future",
            Msg::InTheFuture.with("field", "admitted_on"),
        ));
    }
    let official_on = match (status, new.official_on) {
        (MemberStatus::Probationary, Some(_)) => {
            errors.push(FieldError::new(
                "official_on",
                "inconsistent",
                Msg::ProbationaryHasNoOfficialDate,
            ));
            None
        }
        (MemberStatus::Probationary, None) => None,
        (_, Some(day)) => Some(day),
        (_, None) => Some(rules::official_from(new.admitted_on)),
    };
    if official_on.is_some_and(|d| d < new.admitted_on) {
        errors.push(FieldError::new(
            "official_on",
            "before_admission",
            Msg::OfficialBeforeAdmission,
        ));
    }
    if new.card_number.is_some() && status == MemberStatus::Probationary {
        errors.push(FieldError::new(
            "card_number",
            "not_official",
            Msg::CardsForOfficialMembers,
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let joined_on = new
        .transferred_in
        .as_ref()
        .map_or(new.admitted_on, |t| t.on);
    Ok(Registration {
        status,
        official_on,
        joined_on,
    })
}

/// The row of a newly registered member of `cell`.
fn registered_row(
    new: &NewMember,
    registration: &Registration,
    person: &PersonRow,
    cell_id: &str,
) -> MemberRow {
    let at = now();
    MemberRow {
        id: new_id(),
        person_id: person.id.clone(),
        organisation_id: cell_id.to_owned(),
        status: registration.status.as_str().to_owned(),
        member_number: new.member_number.clone(),
        admitted_on: new.admitted_on,
        official_on: registration.official_on,
        card_number: new.card_number.clone(),
        card_issued_on: new.card_issued_on,
        left_on: None,
        temporary_organisation_id: None,
        mentor_member_id: new.mentor_member_id.clone(),
        search_name: person.search_name.clone(),
        version: 1,
        created_at: at,
        updated_at: at,
        deleted_at: None,
    }
}

/// The history the register can vouch for at a registration, as dated
/// snapshots in order: each the status the member had after it, and the
/// event. Joining (registered, or transferred in), then recognition as
/// official when it came after joining, then exemption.
fn registration_events<'a>(
    new: &'a NewMember,
    registration: &Registration,
    today: NaiveDate,
) -> Vec<(MemberStatus, NewEvent<'a>)> {
    let official_before_joining = registration
        .official_on
        .is_some_and(|d| d <= registration.joined_on);
    let joined_as = if official_before_joining {
        MemberStatus::Official
    } else {
        MemberStatus::Probationary
    };
    let mut events = vec![(
        joined_as,
        match &new.transferred_in {
            Some(t) => NewEvent {
                kind: MemberEventKind::TransferredIn,
                occurred_on: t.on,
                decided_on: None,
                decision_number: t.decision_number.as_deref(),
                reason: None,
                detail: json!({"from": t.from}),
            },
            None => NewEvent {
                kind: MemberEventKind::Registered,
                occurred_on: new.admitted_on,
                decided_on: None,
                decision_number: None,
                reason: None,
                detail: json!({}),
            },
        },
    )];
    if let Some(day) = registration
        .official_on
        .filter(|_| !official_before_joining)
    {
        events.push((
            MemberStatus::Official,
            NewEvent {
                kind: MemberEventKind::Registered,
                occurred_on: day,
                decided_on: None,
                decision_number: None,
                reason: None,
                detail: json!({"official_on": day}),
            },
        ));
    }
    if registration.status == MemberStatus::Exempt {
        events.push((
            MemberStatus::Exempt,
            NewEvent {
                kind: MemberEventKind::Registered,
                occurred_on: today.max(registration.official_on.unwrap_or(today)),
                decided_on: None,
                decision_number: None,
                reason: None,
                detail: json!({"status": "exempt"}),
            },
        ));
    }
    events
}

/// Registers an existing member (data migration), or an incoming transfer.
pub fn register(conn: &mut DbConnection, access: &Access, mut new: NewMember) -> ApiResult<Member> {
    let today = chrono::Utc::now().date_naive();
    let registration = registration(&new, today)?;
    let cell = cell_for_members(
        conn,
        access,
        &new.organisation_id,
        "organisation_id",
        registration.joined_on,
    )?;
    if let Some(mentor) = &new.mentor_member_id {
        find_reference(conn, access, mentor, "mentor_member_id")?;
    }
    let (person, person_is_new) =
        person_for(conn, access, new.person_id.take(), new.person.take())?;
    let row = registered_row(&new, &registration, &person, &cell.id);
    insert(conn, access, &row, &person, person_is_new)?;
    for (status, event) in registration_events(&new, &registration, today) {
        let mut snapshot = row.clone();
        snapshot.status = status.as_str().to_owned();
        append_event(conn, access, &snapshot, event)?;
    }
    view(conn, row, access.may(Right::ReadPersonal))
}

/// Whether `register_all` takes this registration: a new member with a new
/// person given inline, and no mentor or transfer to look up.
pub fn registers_in_bulk(new: &NewMember) -> bool {
    new.person_id.is_none()
        && new.person.is_some()
        && new.mentor_member_id.is_none()
        && new.transferred_in.is_none()
}

/// Registers many new members with their new people in one go (an import's
/// batch), each exactly as `register` would, with the same checks, rows,
/// history and journal, but in a few multi-row statements instead of some
/// thirty statements a member: cells and residences are read once each, and
/// the rows and journal entries are inserted together (`audit::Journal`).
///
/// Each registration answers on its own: one refused by a rule is left out
/// and the others go in. The caller sends only registrations that
/// `registers_in_bulk` takes and whose member number, card number and
/// citizen id are neither taken nor repeated in the batch; the unique
/// indexes refuse the whole batch otherwise (a database error), which the
/// caller's savepoint then undoes.
pub fn register_all(
    conn: &mut DbConnection,
    access: &Access,
    news: Vec<NewMember>,
) -> ApiResult<Vec<ApiResult<String>>> {
    use std::collections::HashMap;
    let today = chrono::Utc::now().date_naive();
    let mut cells: HashMap<String, Option<OrganisationRow>> = HashMap::new();
    let mut residences: HashMap<String, bool> = HashMap::new();
    let mut people_rows = Vec::with_capacity(news.len());
    let mut member_rows = Vec::with_capacity(news.len());
    let mut event_rows = Vec::new();
    let mut journal = audit::Journal::default();
    let mut outcomes = Vec::with_capacity(news.len());
    for mut new in news {
        debug_assert!(registers_in_bulk(&new), "not a bulk registration");
        let registration = match registration(&new, today) {
            Ok(registration) => registration,
            Err(refused) => {
                outcomes.push(Err(refused));
                continue;
            }
        };
        if !cells.contains_key(&new.organisation_id) {
            let found = match crate::organisations::store::find(conn, access, &new.organisation_id)
            {
                Ok(cell) => Some(cell),
                Err(ApiError::NotFound) => None,
                Err(other) => return Err(other),
            };
            cells.insert(new.organisation_id.clone(), found);
        }
        let Some(cell) = &cells[&new.organisation_id] else {
            outcomes.push(Err(ApiError::ReferenceNotFound {
                field: "organisation_id",
            }));
            continue;
        };
        if let Err(refused) =
            check_cell_takes_members(cell, "organisation_id", registration.joined_on)
        {
            outcomes.push(Err(refused));
            continue;
        }
        let Some(new_person) = new.person.take() else {
            outcomes.push(Err(ApiError::invalid_field(
                "person_id",
                "person_required",
                Msg::PersonRequired,
            )));
            continue;
        };
        let person = match crate::people::store::new_row(new_person) {
            Ok(person) => person,
            Err(refused) => {
                outcomes.push(Err(refused));
                continue;
            }
        };
        if let Some(locality) = &person.residence_locality_id {
            if !residences.contains_key(locality) {
                let found = match crate::localities::store::find(conn, locality) {
                    Ok(_) => true,
                    Err(ApiError::NotFound) => false,
                    Err(other) => return Err(other),
                };
                residences.insert(locality.clone(), found);
            }
            if !residences[locality] {
                outcomes.push(Err(ApiError::ReferenceNotFound {
                    field: "residence_locality_id",
                }));
                continue;
            }
        }
        let row = registered_row(&new, &registration, &person, &cell.id);
        let path = Some(cell.path.as_str());
        journal.add(access, crate::people::store::created(&person, path));
        journal.add(
            access,
            Write {
                action: "create",
                record_type: RECORD_TYPE,
                record_id: &row.id,
                organisation_path: path,
                version: row.version,
                before: None,
                after: image(&Member::view(
                    row.clone(),
                    Person::view(person.clone(), true),
                )),
            },
        );
        let mut events: Vec<MemberEventRow> = registration_events(&new, &registration, today)
            .into_iter()
            .map(|(status, event)| event_row(&row.id, status.as_str(), &row.organisation_id, event))
            .collect();
        for event in &events {
            journal.add(access, event_created(event, path));
        }
        // What `relink_spans` makes of a new member's history.
        events.sort_by(|a, b| (a.occurred_on, &a.id).cmp(&(b.occurred_on, &b.id)));
        let stored: Vec<_> = events
            .iter()
            .enumerate()
            .map(|(i, event)| (i, event.occurred_on, event.superseded_on))
            .collect();
        for (i, until) in rules::spans(&stored) {
            events[i].superseded_on = until;
        }
        outcomes.push(Ok(row.id.clone()));
        people_rows.push(person);
        member_rows.push(row);
        event_rows.extend(events);
    }
    crate::bulk_insert!(conn, people::table, people_rows);
    insert_rows(conn, &member_rows)?;
    crate::bulk_insert!(conn, e::table, event_rows);
    journal.write(conn)?;
    Ok(outcomes)
}

/// Applies a merge patch (member number and mentor only).
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: MemberPatch,
    expected: Option<i64>,
) -> ApiResult<Member> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let mut next = current.clone();
    set_nullable(&mut next.member_number, patch.member_number);
    set_nullable(&mut next.mentor_member_id, patch.mentor_member_id);
    if next == current {
        return view(conn, current, access.may(Right::ReadPersonal));
    }
    if let Some(number) = next
        .member_number
        .as_deref()
        .filter(|n| Some(*n) != current.member_number.as_deref())
    {
        check_member_number_free(conn, number, id)?;
    }
    if let Some(mentor) = next
        .mentor_member_id
        .as_deref()
        .filter(|m| Some(*m) != current.mentor_member_id.as_deref())
    {
        if mentor == id {
            return Err(ApiError::invalid_field(
                "mentor_member_id",
                "invalid",
                Msg::MentorsItself,
            ));
        }
        find_reference(conn, access, mentor, "mentor_member_id")?;
    }
    save(conn, access, &current, next, "update")
}

/// Soft-deletes a member registered by mistake.
pub fn delete(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    expected: Option<i64>,
) -> ApiResult<()> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let at = now();
    let mut gone = current.clone();
    gone.deleted_at = Some(at);
    gone.updated_at = at;
    gone.version = current.version + 1;
    diesel::update(m::table.find(id)).set(&gone).execute(conn)?;
    let path = crate::organisations::store::path_of(conn, &current.organisation_id)?;
    audit::record(
        conn,
        access,
        Write {
            action: "delete",
            record_type: RECORD_TYPE,
            record_id: id,
            organisation_path: Some(&path),
            version: gone.version,
            before: None,
            after: None,
        },
    )
}

fn rule(broken: rules::Broken) -> ApiError {
    ApiError::rule(broken.0, broken.1)
}

/// Probationary → official: official from the 12-month point, whatever the
/// delay of the decision (Charter art. 5; QĐ 24-QĐ/TW 4.3).
pub fn recognise(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    request: RecognitionRequest,
    expected: Option<i64>,
) -> ApiResult<Member> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    if current.status() != MemberStatus::Probationary {
        return Err(ApiError::conflict("not_probationary", Msg::NotProbationary));
    }
    let official_on =
        rules::check_recognition(current.status(), current.admitted_on, request.decided_on)
            .map_err(rule)?;
    let mut next = current.clone();
    next.status = MemberStatus::Official.as_str().to_owned();
    next.official_on = Some(official_on);
    // Events recorded between the official date and the decision already
    // stand in a register where the member was official.
    diesel::update(
        e::table
            .filter(e::member_id.eq(id))
            .filter(e::occurred_on.ge(official_on))
            .filter(e::status_after.eq(MemberStatus::Probationary.as_str())),
    )
    .set(e::status_after.eq(MemberStatus::Official.as_str()))
    .execute(conn)?;
    append_event(
        conn,
        access,
        &next,
        NewEvent {
            kind: MemberEventKind::Recognised,
            occurred_on: official_on,
            decided_on: Some(request.decided_on),
            decision_number: request.decision_number.as_deref(),
            reason: None,
            detail: json!({}),
        },
    )?;
    save(conn, access, &current, next, "recognise")
}

/// First card or re-issue, for official members only; the old number stays
/// in the event history (HD 12-HD/BTCTW 2022 on Party cards).
pub fn issue_card(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    request: CardRequest,
    expected: Option<i64>,
) -> ApiResult<Member> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    check_in_order(conn, id, request.issued_on, "issued_on")?;
    match state_on(conn, id, request.issued_on)? {
        Some((MemberStatus::Official | MemberStatus::Exempt, _)) => {}
        _ => return Err(ApiError::rule("not_official", Msg::CardsForOfficialMembers)),
    }
    let number = request.card_number.trim().to_owned();
    if number.is_empty() || number.len() > 32 {
        return Err(ApiError::invalid_field(
            "card_number",
            "invalid",
            Msg::LengthBetween
                .with("field", "card_number")
                .with("min", 1)
                .with("max", 32),
        ));
    }
    check_card_free(conn, &number)?;
    let reissue = current.card_number.is_some();
    let mut next = current.clone();
    next.card_number = Some(number.clone());
    next.card_issued_on = Some(request.issued_on);
    append_event(
        conn,
        access,
        &next,
        NewEvent {
            kind: if reissue {
                MemberEventKind::CardReissued
            } else {
                MemberEventKind::CardIssued
            },
            occurred_on: request.issued_on,
            decided_on: None,
            decision_number: None,
            reason: request.reason.as_deref(),
            detail: json!({"card_number": number, "previous_card_number": current.card_number}),
        },
    )?;
    save(
        conn,
        access,
        &current,
        next,
        if reissue {
            "reissue_card"
        } else {
            "issue_card"
        },
    )
}

fn badge_events(
    conn: &mut DbConnection,
    member_id: &str,
) -> ApiResult<Vec<(String, Option<String>)>> {
    Ok(e::table
        .filter(e::member_id.eq(member_id))
        .filter(e::kind.eq_any([
            MemberEventKind::BadgeProposed.as_str(),
            MemberEventKind::BadgeAwarded.as_str(),
        ]))
        .select((e::kind, e::detail))
        .load(conn)?)
}

fn milestone_of(detail: &Option<String>) -> Option<u64> {
    detail
        .as_deref()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .and_then(|v| v["milestone"].as_u64())
}

/// A badge proposal or award for a milestone of tuổi đảng (QĐ 94-QĐ/TW 2017).
pub fn badge(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    request: BadgeRequest,
    expected: Option<i64>,
) -> ApiResult<Member> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    let status = current.status();
    // Posthumous awards are allowed; people who left the Party get none.
    if !(status.is_counted() || status == MemberStatus::Deceased) {
        return Err(ApiError::rule(
            "member_not_eligible",
            Msg::BadgeForMembersOnly,
        ));
    }
    let periods = membership_periods(conn, id)?;
    let reached = rules::milestone_reached_on(&periods, request.milestone);
    rules::check_badge(
        request.milestone,
        reached,
        request.on,
        request.early_reason.is_some(),
    )
    .map_err(rule)?;
    let held = badge_events(conn, id)?;
    let milestone = u64::from(request.milestone);
    let has = |kind: MemberEventKind| {
        held.iter()
            .any(|(k, d)| k == kind.as_str() && milestone_of(d) == Some(milestone))
    };
    if has(MemberEventKind::BadgeAwarded) {
        return Err(ApiError::rule(
            "badge_already_awarded",
            Msg::BadgeAlreadyAwarded.with("milestone", milestone),
        ));
    }
    if request.status == BadgeStatus::Proposed && has(MemberEventKind::BadgeProposed) {
        return Err(ApiError::rule(
            "badge_already_proposed",
            Msg::BadgeAlreadyProposed.with("milestone", milestone),
        ));
    }
    let last = last_event_day(conn, id)?;
    // A posthumous award is dated after death, the member's last event.
    let kind = match request.status {
        BadgeStatus::Proposed => MemberEventKind::BadgeProposed,
        BadgeStatus::Awarded => MemberEventKind::BadgeAwarded,
    };
    let occurred_on = match last {
        Some(last) if request.on < last => {
            return Err(ApiError::rule(
                "dated_before_last_event",
                Msg::LastEventDated.with("date", last),
            ))
        }
        _ => request.on,
    };
    append_event(
        conn,
        access,
        &current,
        NewEvent {
            kind,
            occurred_on,
            decided_on: None,
            decision_number: request.decision_number.as_deref(),
            reason: request.early_reason.as_deref(),
            detail: json!({"milestone": request.milestone, "reached_on": reached, "early": request.early_reason.is_some()}),
        },
    )?;
    let mut next = current.clone();
    next.updated_at = now();
    save(conn, access, &current, next, "badge")
}

/// Moves a member: to another cell (official), temporarily (still counted
/// at home), back from a temporary transfer, or out of the register.
/// Source: QĐ 24-QĐ/TW (2021) 9; HD 12-HD/BTCTW (2022) 9.
pub fn transfer(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    request: TransferRequest,
    expected: Option<i64>,
) -> ApiResult<Member> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    check_in_order(conn, id, request.on, "on")?;
    if !current.status().is_counted() {
        return Err(ApiError::conflict(
            "not_a_current_member",
            Msg::NotACurrentMember,
        ));
    }
    let mut next = current.clone();
    let (kind, detail, action) = if request.out {
        let destination = request
            .destination
            .clone()
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| {
                ApiError::invalid_field("destination", "required", Msg::TransferOutDestination)
            })?;
        next.status = MemberStatus::TransferredOut.as_str().to_owned();
        next.left_on = Some(request.on);
        next.temporary_organisation_id = None;
        (
            MemberEventKind::TransferredOut,
            json!({"destination": destination}),
            "transfer_out",
        )
    } else {
        match request.kind.unwrap_or(TransferKind::Official) {
            TransferKind::Return => {
                let from = current.temporary_organisation_id.clone().ok_or_else(|| {
                    ApiError::conflict(
                        "not_temporarily_transferred",
                        Msg::NotTemporarilyTransferred,
                    )
                })?;
                next.temporary_organisation_id = None;
                (
                    MemberEventKind::TemporaryReturn,
                    json!({"from_organisation_id": from}),
                    "temporary_return",
                )
            }
            kind => {
                let to = request.to_organisation_id.as_deref().ok_or_else(|| {
                    ApiError::invalid_field(
                        "to_organisation_id",
                        "required",
                        Msg::TransferTargetRequired,
                    )
                })?;
                let cell = cell_for_members(conn, access, to, "to_organisation_id", request.on)?;
                if cell.id == current.organisation_id {
                    return Err(ApiError::rule("same_cell", Msg::SameCell));
                }
                if kind == TransferKind::Temporary {
                    if let Some(until) = request.until {
                        rules::check_temporary_duration(request.on, until).map_err(rule)?;
                    }
                    next.temporary_organisation_id = Some(cell.id.clone());
                    (
                        MemberEventKind::TemporaryTransfer,
                        json!({"to_organisation_id": cell.id, "until": request.until}),
                        "temporary_transfer",
                    )
                } else {
                    next.organisation_id = cell.id.clone();
                    next.temporary_organisation_id = None;
                    (
                        MemberEventKind::Transferred,
                        json!({"from_organisation_id": current.organisation_id, "to_organisation_id": cell.id}),
                        "transfer",
                    )
                }
            }
        }
    };
    append_event(
        conn,
        access,
        &next,
        NewEvent {
            kind,
            occurred_on: request.on,
            decided_on: None,
            decision_number: request.decision_number.as_deref(),
            reason: None,
            detail,
        },
    )?;
    save(conn, access, &current, next, action)
}

/// Exemption and back, removal, expulsion, resignation, death.
pub fn change_status(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    request: StatusRequest,
    expected: Option<i64>,
) -> ApiResult<Member> {
    let current = find(conn, access, id)?;
    check_version(expected, current.version)?;
    rules::check_status_change(current.status(), request.status).map_err(rule)?;
    check_in_order(conn, id, request.on, "on")?;
    let mut next = current.clone();
    next.status = request.status.as_str().to_owned();
    if !request.status.is_counted() {
        next.left_on = Some(request.on);
        next.temporary_organisation_id = None;
    }
    append_event(
        conn,
        access,
        &next,
        NewEvent {
            kind: MemberEventKind::StatusChanged,
            occurred_on: request.on,
            decided_on: None,
            decision_number: request.decision_number.as_deref(),
            reason: request.reason.as_deref(),
            detail: json!({"from": current.status, "to": request.status}),
        },
    )?;
    save(conn, access, &current, next, "change_status")
}
