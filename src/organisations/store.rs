//! Database work for organisations. Every read starts from `visible`, which
//! applies the caller's subtree, so a record outside it is simply not found.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::*;
use super::rules;
use crate::api::pagination::{key, After, Page, PageRequest};
use crate::api::patch::{set_nullable, set_required};
use crate::api::search::{contains_pattern, fold};
use crate::api::{check_version, new_id, now, validate};
use crate::audit::{self, image, Write};
use crate::auth::{subtree_range, Access};
use crate::db::schema::{member_events, members, organisation_moves, organisations as o};
use crate::db::{child_path, substr, DbBackend, DbConnection};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::i18n::Msg;
use crate::keyset;
use crate::vocabularies::OrganisationKind;

/// Sort fields of the list; the first is the default.
pub const SORT_FIELDS: &[&str] = &["id", "code", "name", "created_at", "updated_at"];

const RECORD_TYPE: &str = "organisation";

type Query = o::BoxedQuery<'static, DbBackend>;

/// Live organisations inside the caller's scope.
fn visible(access: &Access) -> Query {
    let mut query = o::table.filter(o::deleted_at.is_null()).into_boxed();
    if let Some((lo, hi)) = access.scope.path_range() {
        query = query.filter(o::path.ge(lo)).filter(o::path.lt(hi));
    }
    query
}

const COUNTED: [&str; 3] = ["probationary", "official", "exempt"];

/// Counted and official members per organisation, for the given ids.
fn member_counts(
    conn: &mut DbConnection,
    ids: Vec<String>,
) -> ApiResult<HashMap<String, (i64, i64)>> {
    let rows: Vec<(String, String, i64)> = members::table
        .filter(members::organisation_id.eq_any(ids))
        .filter(members::deleted_at.is_null())
        .filter(members::status.eq_any(COUNTED))
        .group_by((members::organisation_id, members::status))
        .select((
            members::organisation_id,
            members::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut counts: HashMap<String, (i64, i64)> = HashMap::new();
    for (organisation, status, n) in rows {
        let entry = counts.entry(organisation).or_default();
        entry.0 += n;
        if status == "official" {
            entry.1 += n;
        }
    }
    Ok(counts)
}

/// Adds the member counts and the two flags of SPEC 5 to views.
pub fn annotate(conn: &mut DbConnection, views: &mut [Organisation]) -> ApiResult<()> {
    let counts = member_counts(conn, views.iter().map(|v| v.id.clone()).collect())?;
    for view in views {
        let (members, official) = counts.get(&view.id).copied().unwrap_or_default();
        set_counts(view, members, official);
    }
    Ok(())
}

/// A view's counts of counted and official members, and the flags of SPEC 5
/// that follow from them.
fn set_counts(view: &mut Organisation, members: i64, official: i64) {
    view.member_count = Some(members);
    view.official_member_count = Some(official);
    view.below_minimum = Some(rules::below_minimum(view.kind, official));
    view.should_become_committee = Some(rules::should_become_committee(view.kind, members));
}

/// One organisation in scope with its counts and flags. The counts come
/// with the row, as two subqueries of its query: on PostgreSQL each
/// query is a round trip, and GET organisation was three of them (the row,
/// its counts, its overseers) for most organisations.
pub fn read(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<Organisation> {
    let counted = members::table
        .filter(members::organisation_id.eq(o::id))
        .filter(members::deleted_at.is_null());
    let query = o::table
        .filter(o::id.eq(id))
        .filter(o::deleted_at.is_null())
        .select((
            o::all_columns,
            counted
                .filter(members::status.eq_any(COUNTED))
                .count()
                .single_value(),
            counted
                .filter(members::status.eq("official"))
                .count()
                .single_value(),
        ));
    let (row, members, official): (OrganisationRow, Option<i64>, Option<i64>) =
        crate::on_backend!(conn, |c| query.first(c))?;
    if !access.scope.covers(&row.path) {
        return Err(ApiError::NotFound);
    }
    let mut view = Organisation::from(row);
    set_counts(&mut view, members.unwrap_or(0), official.unwrap_or(0));
    view.current_overseers = Some(crate::cadres::store::current_overseers(
        conn,
        id,
        chrono::Utc::now().date_naive(),
    )?);
    Ok(view)
}

/// The materialised path of an organisation, for scoping the journal of the
/// records attached to it (the caller has already checked the scope).
pub fn path_of(conn: &mut DbConnection, id: &str) -> ApiResult<String> {
    let query = o::table.filter(o::id.eq(id)).select(o::path);
    Ok(crate::on_backend!(conn, |c| query.first(c))?)
}

/// One organisation in scope, or 404.
///
/// Unboxed, on the backend's own connection, with the scope checked on the
/// path: every reference to an organisation comes through here.
pub fn find(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<OrganisationRow> {
    let query = o::table
        .filter(o::id.eq(id))
        .filter(o::deleted_at.is_null());
    let row: OrganisationRow = crate::on_backend!(conn, |c| query.first(c))?;
    if !access.scope.covers(&row.path) {
        return Err(ApiError::NotFound);
    }
    Ok(row)
}

/// A referenced organisation in scope, or 404 naming the body field.
pub fn find_reference(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    field: &'static str,
) -> ApiResult<OrganisationRow> {
    find(conn, access, id).map_err(|e| e.for_reference(field))
}

fn filtered(
    conn: &mut DbConnection,
    access: &Access,
    filters: &OrganisationFilters,
) -> ApiResult<Query> {
    let mut query = visible(access);
    if let Some(parent_id) = &filters.parent_id {
        query = query.filter(o::parent_id.eq(parent_id.clone()));
    }
    if let Some(ancestor_id) = &filters.ancestor_id {
        let ancestor = find(conn, access, ancestor_id).map_err(|_| {
            ApiError::invalid_field(
                "ancestor_id",
                "reference_not_found",
                Msg::NoSuchOrganisation,
            )
        })?;
        let (lo, hi) = subtree_range(&ancestor.path);
        query = query.filter(o::path.ge(lo)).filter(o::path.lt(hi));
    }
    if let Some(kind) = filters.kind {
        query = query.filter(o::kind.eq(kind.as_str()));
    }
    if let Some(day) = filters.active_on {
        query = query
            .filter(o::established_on.is_null().or(o::established_on.le(day)))
            .filter(o::dissolved_on.is_null().or(o::dissolved_on.gt(day)));
    }
    if let Some(q) = &filters.q {
        query = query.filter(o::search_name.like(contains_pattern(q)).escape('\\'));
    }
    Ok(query)
}

/// A page of organisations matching the filters.
pub fn list(
    conn: &mut DbConnection,
    access: &Access,
    filters: &OrganisationFilters,
    page: &PageRequest,
) -> ApiResult<Page<Organisation>> {
    let query = filtered(conn, access, filters)?;
    let query = match page.sort_field {
        "code" => keyset!(query, page, o::code, o::id, key::text),
        "name" => keyset!(query, page, o::name, o::id, key::text),
        "created_at" => keyset!(query, page, o::created_at, o::id, key::instant),
        "updated_at" => keyset!(query, page, o::updated_at, o::id, key::instant),
        _ => keyset!(query, page, o::id, o::id, key::text),
    };
    let rows: Vec<OrganisationRow> = query.limit(page.fetch_limit()).load(conn)?;
    let total = if page.with_total {
        Some(filtered(conn, access, filters)?.count().get_result(conn)?)
    } else {
        None
    };
    let key_of = |row: &OrganisationRow| After {
        key: match page.sort_field {
            "code" => row.code.clone(),
            "name" => row.name.clone(),
            "created_at" => key::instant_text(&row.created_at),
            "updated_at" => key::instant_text(&row.updated_at),
            _ => row.id.clone(),
        },
        id: row.id.clone(),
    };
    let mut page = page.page(rows, key_of, Organisation::from, total);
    annotate(conn, &mut page.items)?;
    Ok(page)
}

fn search_text(name: &str, code: &str) -> String {
    fold(&format!("{name} {code}"))
}

fn check_fields(row: &OrganisationRow, errors: &mut Vec<FieldError>) {
    validate::check_code(&row.code, errors);
    validate::check_name(&row.name, errors);
    validate::check_dates(row.established_on, row.dissolved_on, errors);
}

fn check_code_free(conn: &mut DbConnection, code: &str, except_id: &str) -> ApiResult<()> {
    let taken: i64 = o::table
        .filter(o::code.eq(code))
        .filter(o::deleted_at.is_null())
        .filter(o::id.ne(except_id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::conflict(
            "duplicate_code",
            Msg::DuplicateOrganisationCode.with("code", code),
        ));
    }
    Ok(())
}

fn check_locality(conn: &mut DbConnection, locality_id: Option<&str>) -> ApiResult<()> {
    match locality_id {
        Some(id) => crate::localities::store::find(conn, id)
            .map(|_| ())
            .map_err(|e| e.for_reference("locality_id")),
        None => Ok(()),
    }
}

/// 422 unless `kind` may sit under `parent` (SPEC section 2 table).
fn check_parent_kind(kind: OrganisationKind, parent: Option<&OrganisationRow>) -> ApiResult<()> {
    let parent_kind = parent.map(OrganisationRow::kind);
    if rules::parent_kind_allowed(kind, parent_kind) {
        return Ok(());
    }
    let detail = match parent_kind {
        Some(under) => Msg::KindUnder
            .with("kind", kind.as_str())
            .with("parent", under.as_str()),
        None => Msg::KindWithoutParent.with("kind", kind.as_str()),
    };
    Err(ApiError::RuleBroken {
        code: "parent_kind_not_allowed",
        detail,
        errors: vec![FieldError::new(
            "parent_id",
            "parent_kind_not_allowed",
            Msg::ParentKindMismatch,
        )],
    })
}

/// The parent for a new position in the tree: in scope, fitting and live.
fn resolve_parent(
    conn: &mut DbConnection,
    access: &Access,
    parent_id: Option<&str>,
    kind: OrganisationKind,
) -> ApiResult<Option<OrganisationRow>> {
    let parent = match parent_id {
        Some(id) => Some(find_reference(conn, access, id, "parent_id")?),
        // A scoped caller can only add inside its subtree.
        None if access.scope.root_id().is_some() => {
            return Err(ApiError::RuleBroken {
                code: "parent_required",
                detail: Msg::ParentRequiredWhenScoped.into(),
                errors: vec![FieldError::new(
                    "parent_id",
                    "required",
                    Msg::FieldRequired.with("field", "parent_id"),
                )],
            })
        }
        None => None,
    };
    check_parent_kind(kind, parent.as_ref())?;
    if let Some(p) = &parent {
        if p.dissolved_on.is_some() {
            return Err(ApiError::rule("parent_dissolved", Msg::ParentDissolved));
        }
    }
    Ok(parent)
}

/// Creates an organisation.
pub fn create(
    conn: &mut DbConnection,
    access: &Access,
    new: NewOrganisation,
) -> ApiResult<Organisation> {
    let id = new_id();
    let at = now();
    let mut row = OrganisationRow {
        id: id.clone(),
        search_name: search_text(&new.name, &new.code),
        code: new.code,
        name: new.name.trim().to_owned(),
        kind: new.kind.as_str().to_owned(),
        parent_id: new.parent_id,
        path: String::new(),
        locality_id: new.locality_id,
        established_on: new.established_on,
        dissolved_on: new.dissolved_on,
        merged_into_id: None,
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
    let parent = resolve_parent(conn, access, row.parent_id.as_deref(), new.kind)?;
    row.path = child_path(parent.as_ref().map(|p| p.path.as_str()), &id);
    check_locality(conn, row.locality_id.as_deref())?;
    check_code_free(conn, &row.code, &id)?;
    diesel::insert_into(o::table).values(&row).execute(conn)?;
    let view = Organisation::from(row.clone());
    audit::record(
        conn,
        access,
        Write {
            action: "create",
            record_type: RECORD_TYPE,
            record_id: &id,
            organisation_path: Some(&row.path),
            version: row.version,
            before: None,
            after: image(&view),
        },
    )?;
    Ok(view)
}

/// 422 when `parent` is the row itself or one of its descendants.
fn check_no_cycle(row: &OrganisationRow, parent: Option<&OrganisationRow>) -> ApiResult<()> {
    match parent {
        Some(p) if p.path.starts_with(&row.path) => Err(ApiError::RuleBroken {
            code: "cycle",
            detail: Msg::OrganisationCycle.into(),
            errors: vec![FieldError::new("parent_id", "cycle", Msg::WouldCycle)],
        }),
        _ => Ok(()),
    }
}

/// Moves `row` (in memory and its stored descendants) under `parent`,
/// keeping a dated record of the move.
fn reparent(
    conn: &mut DbConnection,
    row: &mut OrganisationRow,
    parent: Option<&OrganisationRow>,
    on: NaiveDate,
    decision_number: Option<&str>,
) -> ApiResult<()> {
    check_no_cycle(row, parent)?;
    let old_path = row.path.clone();
    let new_path = child_path(parent.map(|p| p.path.as_str()), &row.id);
    let (lo, hi) = subtree_range(&old_path);
    let keep_from = i32::try_from(old_path.len() + 1)
        .map_err(|_| ApiError::Internal("path too long".into()))?;
    diesel::update(o::table.filter(o::path.gt(lo)).filter(o::path.lt(hi)))
        .set(
            o::path.eq(new_path
                .clone()
                .into_sql::<diesel::sql_types::Text>()
                .concat(substr(o::path, keep_from))),
        )
        .execute(conn)?;
    audit::record_subtree_moved(conn, &row.id, &old_path, &new_path)?;
    diesel::insert_into(organisation_moves::table)
        .values((
            organisation_moves::id.eq(new_id()),
            organisation_moves::organisation_id.eq(&row.id),
            organisation_moves::from_parent_id.eq(&row.parent_id),
            organisation_moves::to_parent_id.eq(parent.map(|p| p.id.clone())),
            organisation_moves::moved_on.eq(on),
            organisation_moves::decision_number.eq(decision_number),
            organisation_moves::created_at.eq(now()),
        ))
        .execute(conn)?;
    row.parent_id = parent.map(|p| p.id.clone());
    row.path = new_path;
    Ok(())
}

fn child_kinds(conn: &mut DbConnection, id: &str) -> ApiResult<Vec<String>> {
    Ok(o::table
        .filter(o::parent_id.eq(id))
        .filter(o::deleted_at.is_null())
        .select(o::kind)
        .load(conn)?)
}

/// Stores a changed row with a new version and journals it.
fn save(
    conn: &mut DbConnection,
    access: &Access,
    before: &OrganisationRow,
    mut row: OrganisationRow,
    action: &str,
) -> ApiResult<Organisation> {
    row.version = before.version + 1;
    row.updated_at = now();
    diesel::update(o::table.find(&row.id))
        .set(&row)
        .execute(conn)?;
    let view = Organisation::from(row.clone());
    let write = Write {
        action,
        record_type: RECORD_TYPE,
        record_id: &row.id,
        organisation_path: Some(&row.path),
        version: row.version,
        before: image(&Organisation::from(before.clone())),
        after: image(&view),
    };
    if before.path == row.path {
        audit::record(conn, access, write)?;
    } else {
        audit::record_moved(conn, access, write, &before.path)?;
    }
    Ok(view)
}

/// Applies a merge patch. A patch that changes nothing keeps the version.
pub fn update(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    patch: OrganisationPatch,
    expected_version: Option<i64>,
) -> ApiResult<Organisation> {
    let current = find(conn, access, id)?;
    check_version(expected_version, current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    let mut kind = current.kind();
    set_required(&mut next.code, patch.code, "code", &mut errors);
    set_required(&mut next.name, patch.name, "name", &mut errors);
    set_required(&mut kind, patch.kind, "kind", &mut errors);
    set_nullable(&mut next.parent_id, patch.parent_id);
    set_nullable(&mut next.locality_id, patch.locality_id);
    set_nullable(&mut next.established_on, patch.established_on);
    set_nullable(&mut next.dissolved_on, patch.dissolved_on);
    next.name = next.name.trim().to_owned();
    next.kind = kind.as_str().to_owned();
    next.search_name = search_text(&next.name, &next.code);
    check_fields(&next, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if next == current {
        return Ok(Organisation::from(current));
    }
    if next.code != current.code {
        check_code_free(conn, &next.code, id)?;
    }
    if next.locality_id != current.locality_id {
        check_locality(conn, next.locality_id.as_deref())?;
    }
    if next.kind != current.kind {
        for child in child_kinds(conn, id)? {
            if !rules::parent_kind_allowed(OrganisationKind::from_db(&child), Some(kind)) {
                return Err(ApiError::rule(
                    "children_kind_conflict",
                    Msg::KindUnder.with("kind", child).with("parent", kind),
                ));
            }
        }
    }
    if next.parent_id != current.parent_id || next.kind != current.kind {
        let parent = match next.parent_id.as_deref() {
            Some(pid) => Some(find_reference(conn, access, pid, "parent_id")?),
            None if access.scope.root_id().is_some() => return Err(ApiError::NotFound),
            None => None,
        };
        check_no_cycle(&current, parent.as_ref())?;
        check_parent_kind(kind, parent.as_ref())?;
        if next.parent_id != current.parent_id {
            next.parent_id = current.parent_id.clone();
            reparent(
                conn,
                &mut next,
                parent.as_ref(),
                chrono::Utc::now().date_naive(),
                None,
            )?;
        }
    }
    save(conn, access, &current, next, "update")
}

/// Soft-deletes an organisation with no live children (a data-entry correction).
pub fn delete(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    expected_version: Option<i64>,
) -> ApiResult<()> {
    let current = find(conn, access, id)?;
    check_version(expected_version, current.version)?;
    if !child_kinds(conn, id)?.is_empty() {
        return Err(ApiError::conflict("has_children", Msg::HasChildren));
    }
    if access.scope.root_id() == Some(id) {
        return Err(ApiError::Forbidden);
    }
    let at = now();
    let version = current.version + 1;
    diesel::update(o::table.find(id))
        .set((
            o::deleted_at.eq(Some(at)),
            o::updated_at.eq(at),
            o::version.eq(version),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        access,
        Write {
            action: "delete",
            record_type: RECORD_TYPE,
            record_id: id,
            organisation_path: Some(&current.path),
            version,
            before: image(&Organisation::from(current.clone())),
            after: None,
        },
    )
}

/// The subtree under `id`, nested, with members counted per organisation
/// and per subtree.
pub fn tree(conn: &mut DbConnection, access: &Access, id: &str) -> ApiResult<OrganisationNode> {
    let root = find(conn, access, id)?;
    let (lo, hi) = subtree_range(&root.path);
    let rows: Vec<OrganisationRow> = visible(access)
        .filter(o::path.ge(lo.clone()))
        .filter(o::path.lt(hi.clone()))
        .order((o::code.asc(), o::id.asc()))
        .load(conn)?;
    let direct: HashMap<String, i64> = members::table
        .inner_join(o::table)
        .filter(o::path.ge(lo))
        .filter(o::path.lt(hi))
        .filter(members::deleted_at.is_null())
        .filter(members::status.eq_any(COUNTED))
        .group_by(members::organisation_id)
        .select((members::organisation_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let mut by_parent: HashMap<Option<String>, Vec<OrganisationRow>> = HashMap::new();
    for row in rows.into_iter().filter(|r| r.id != root.id) {
        by_parent
            .entry(row.parent_id.clone())
            .or_default()
            .push(row);
    }
    Ok(nest(root, &mut by_parent, &direct))
}

fn nest(
    row: OrganisationRow,
    by_parent: &mut HashMap<Option<String>, Vec<OrganisationRow>>,
    direct: &HashMap<String, i64>,
) -> OrganisationNode {
    let children: Vec<OrganisationNode> = by_parent
        .remove(&Some(row.id.clone()))
        .unwrap_or_default()
        .into_iter()
        .map(|child| nest(child, by_parent, direct))
        .collect();
    let member_count = direct.get(&row.id).copied().unwrap_or(0);
    OrganisationNode {
        member_count,
        total_member_count: member_count
            + children.iter().map(|c| c.total_member_count).sum::<i64>(),
        kind: row.kind(),
        id: row.id,
        code: row.code,
        name: row.name,
        established_on: row.established_on,
        dissolved_on: row.dissolved_on,
        children,
    }
}

/// Moves every current member of a merged cell to the target cell, each with
/// a dated transfer event, so reports before the merger keep the old cell.
fn move_members(
    conn: &mut DbConnection,
    access: &Access,
    source: &OrganisationRow,
    target: &OrganisationRow,
    request: &MergeRequest,
) -> ApiResult<()> {
    use crate::members::model::MemberRow;
    use crate::members::store::{append_event, save as save_member, NewEvent};
    let moving: Vec<MemberRow> = members::table
        .filter(members::organisation_id.eq(&source.id))
        .filter(members::deleted_at.is_null())
        .filter(members::status.eq_any(COUNTED))
        .order(members::id.asc())
        .load(conn)?;
    let ids: Vec<String> = moving.iter().map(|m| m.id.clone()).collect();
    let latest: Option<NaiveDate> = member_events::table
        .filter(member_events::member_id.eq_any(ids))
        .select(diesel::dsl::max(member_events::occurred_on))
        .first(conn)?;
    if latest.is_some_and(|d| d > request.on) {
        return Err(ApiError::rule(
            "dated_before_last_event",
            Msg::MergedMembersHaveLaterEvents,
        ));
    }
    for member in moving {
        let mut moved = member.clone();
        moved.organisation_id = target.id.clone();
        append_event(
            conn,
            access,
            &moved,
            NewEvent {
                kind: crate::vocabularies::MemberEventKind::Transferred,
                occurred_on: request.on,
                decided_on: None,
                decision_number: request.decision_number.as_deref(),
                reason: None,
                detail: serde_json::json!({"from_organisation_id": source.id, "to_organisation_id": target.id, "merger": true}),
            },
        )?;
        save_member(conn, access, &member, moved, "transfer")?;
    }
    Ok(())
}

/// Merges `id` into `request.into_id`: every child organisation and member
/// moves under the target and `id` is dissolved on the merger day, in one transaction,
/// with the moves kept as dated history (the 2025 merger of communes).
pub fn merge(
    conn: &mut DbConnection,
    access: &Access,
    id: &str,
    request: MergeRequest,
) -> ApiResult<Organisation> {
    let source = find(conn, access, id)?;
    let target = find_reference(conn, access, &request.into_id, "into_id")?;
    if source.id == target.id || target.path.starts_with(&source.path) {
        return Err(ApiError::rule("cycle", Msg::MergeIntoItself));
    }
    if source.dissolved_on.is_some() {
        return Err(ApiError::conflict(
            "already_dissolved",
            Msg::AlreadyDissolved,
        ));
    }
    if target.dissolved_on.is_some_and(|d| d <= request.on) {
        return Err(ApiError::rule(
            "merge_target_dissolved",
            Msg::MergeTargetDissolved,
        ));
    }
    if rules::is_cell(source.kind()) != rules::is_cell(target.kind()) {
        return Err(ApiError::rule(
            "merge_kind_mismatch",
            Msg::MergeKindMismatch,
        ));
    }
    let children: Vec<OrganisationRow> = o::table
        .filter(o::parent_id.eq(&source.id))
        .filter(o::deleted_at.is_null())
        .order(o::id.asc())
        .load(conn)?;
    for child in &children {
        check_parent_kind(child.kind(), Some(&target))?;
    }
    for child in children {
        let mut moved = child.clone();
        reparent(
            conn,
            &mut moved,
            Some(&target),
            request.on,
            request.decision_number.as_deref(),
        )?;
        save(conn, access, &child, moved, "update")?;
    }
    move_members(conn, access, &source, &target, &request)?;
    let mut dissolved = source.clone();
    dissolved.dissolved_on = Some(request.on);
    dissolved.merged_into_id = Some(target.id.clone());
    save(conn, access, &source, dissolved, "merge")
}
