//! The organisation tree as it stood on a past date.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::subtree_range;
use crate::db::schema::{organisation_moves, organisations};
use crate::db::{child_path, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::organisations::model::OrganisationRow;
use crate::organisations::rules;
use crate::vocabularies::OrganisationKind;

use super::sql::{date, ids};

/// What the reports read of an organisation in a subtree: its parent,
/// kind, dates and village. Not the whole row: the country's 212 k
/// organisations were read whole (names, codes, search names, instants)
/// into a map, then walked through three more maps of copied ids: over
/// 110 MB at the start of its report (heaptrack). Nor its ids as text: as
/// `String`s, three per node, and the kind as one, the country's nodes were
/// still 54 MB (heaptrack); as UUIDs, 60 bytes each and nothing on the heap.
pub struct TreeNode {
    pub id: Uuid,
    pub kind: OrganisationKind,
    pub parent_id: Option<Uuid>,
    pub locality_id: Option<Uuid>,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
}

/// A `TreeNode` as stored.
type TreeRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

impl TreeNode {
    fn from_row(row: TreeRow) -> ApiResult<Self> {
        let (id, kind, parent_id, locality_id, established_on, dissolved_on) = row;
        Ok(Self {
            id: uuid(&id)?,
            kind: OrganisationKind::from_db(&kind),
            parent_id: parent_id.as_deref().map(uuid).transpose()?,
            locality_id: locality_id.as_deref().map(uuid).transpose()?,
            established_on,
            dissolved_on,
        })
    }
}

/// A stored id as a UUID. Every id is one the server made (`api::new_id`,
/// or a seed's UUIDs); imports cannot set ids.
pub fn uuid(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::Internal(format!("stored id {id} is not a UUID")))
}

/// An organisation's subtree as it stood on a day.
pub struct Subtree {
    /// Every organisation in it.
    pub rows: Vec<TreeNode>,
    root_id: Uuid,
    /// The root's path range, when the live organisations in it today are
    /// exactly `rows` (none moved in or out since the day).
    range: Option<(String, String)>,
}

impl Subtree {
    /// The ids of `rows`, for an SQL `IN (…)`: a subquery over the root's
    /// path range when that range holds exactly these organisations, else
    /// the ids listed. The country's list is 212 k ids (8 MB of SQL), which
    /// PostgreSQL took 48 s to plan and join the register by; through the
    /// subquery, 13 s.
    pub fn ids_sql(&self) -> String {
        match &self.range {
            Some((lo, hi)) => in_path_range(lo, hi),
            None => ids(self.rows.iter().map(|o| &o.id)),
        }
    }

    /// `ids_sql` narrowed to the organisations of `kinds` (and, when
    /// `active_on` is given, active on that day), as a subquery over the
    /// root's path range when that range holds the subtree. Listing them
    /// instead cost the country's report its peak memory: its 157 k
    /// subordinate cells as one IN list were 6 MB of SQL, copied twice on
    /// the way to SQLite, which parsed it into 56 MB of expression tree and
    /// code (heaptrack, 5.5 M members).
    pub fn ids_sql_of(&self, kinds: &[OrganisationKind], active_on: Option<NaiveDate>) -> String {
        match &self.range {
            Some((lo, hi)) => {
                let kinds: Vec<String> = kinds.iter().map(|k| quoted(k.as_str())).collect();
                let mut sql = format!(
                    "{} AND kind IN ({})",
                    in_path_range(lo, hi),
                    kinds.join(",")
                );
                if let Some(day) = active_on {
                    let day = date(day);
                    sql.push_str(&format!(
                        " AND (established_on IS NULL OR established_on <= {day}) \
                         AND (dissolved_on IS NULL OR dissolved_on > {day})"
                    ));
                }
                sql
            }
            None => ids(self
                .rows
                .iter()
                .filter(|o| kinds.contains(&o.kind))
                .filter(|o| {
                    active_on
                        .is_none_or(|day| rules::active_on(o.established_on, o.dissolved_on, day))
                })
                .map(|o| &o.id)),
        }
    }

    /// `ids_sql` in at most `parts` parts that together name each
    /// organisation once, for reading the register part by part (see
    /// `annual::compute`): the root alone, then runs of its children's
    /// subtrees in path order, each run one path range; or the listed ids
    /// in groups.
    pub fn ids_sql_in_parts(&self, parts: usize) -> Vec<String> {
        let parts = parts.max(1);
        match &self.range {
            Some((root_path, _)) => {
                // Nothing moved since the day, so a child's path is today's.
                let mut children: Vec<String> = self
                    .rows
                    .iter()
                    .filter(|o| o.parent_id == Some(self.root_id))
                    .map(|o| child_path(Some(root_path), &o.id.to_string()))
                    .collect();
                children.sort_unstable();
                let per_part = children.len().div_ceil(parts).max(1);
                let mut sql = vec![ids([&self.root_id])];
                sql.extend(children.chunks(per_part).map(|run| {
                    let (_, hi) = subtree_range(&run[run.len() - 1]);
                    in_path_range(&run[0], &hi)
                }));
                sql
            }
            None => {
                let per_part = self.rows.len().div_ceil(parts).max(1);
                self.rows
                    .chunks(per_part)
                    .map(|run| ids(run.iter().map(|o| &o.id)))
                    .collect()
            }
        }
    }
}

/// The live organisations whose path lies in `[lo, hi)`, as an SQL query.
fn in_path_range(lo: &str, hi: &str) -> String {
    format!(
        "SELECT id FROM organisations WHERE deleted_at IS NULL AND path >= {} AND path < {}",
        quoted(lo),
        quoted(hi)
    )
}

/// `text` as an SQL string literal.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Every organisation under `root` on `day` (the root included, dissolved
/// ones too: events stay attributed to them), rebuilt from the dated moves:
/// an organisation moved after `day` is placed where it was before the move.
pub fn subtree_on(
    conn: &mut DbConnection,
    root: &OrganisationRow,
    day: NaiveDate,
) -> ApiResult<Subtree> {
    let later_moves: Vec<(String, Option<String>, NaiveDate, String)> = organisation_moves::table
        .filter(organisation_moves::moved_on.gt(day))
        .order((
            organisation_moves::moved_on.asc(),
            organisation_moves::id.asc(),
        ))
        .select((
            organisation_moves::organisation_id,
            organisation_moves::from_parent_id,
            organisation_moves::moved_on,
            organisation_moves::id,
        ))
        .load(conn)?;
    let live_under = |conn: &mut DbConnection, path: &str| -> ApiResult<Vec<TreeNode>> {
        let (lo, hi) = subtree_range(path);
        organisations::table
            .filter(organisations::deleted_at.is_null())
            .filter(organisations::path.ge(lo))
            .filter(organisations::path.lt(hi))
            .select((
                organisations::id,
                organisations::kind,
                organisations::parent_id,
                organisations::locality_id,
                organisations::established_on,
                organisations::dissolved_on,
            ))
            .load_iter::<TreeRow, DefaultLoadingMode>(conn)?
            .map(|row| TreeNode::from_row(row?))
            .collect()
    };
    let root_id = uuid(&root.id)?;
    // Nothing moved since `day`: the tree then is today's, and the root's
    // path range holds it (paths follow parents, and an organisation with
    // live children cannot be deleted).
    if later_moves.is_empty() {
        return Ok(Subtree {
            rows: live_under(conn, &root.path)?,
            root_id,
            range: Some(subtree_range(&root.path)),
        });
    }
    // Candidates: today's subtree, plus the subtrees of organisations that
    // moved after `day` (they may have been under the root then).
    let mut candidates: HashMap<Uuid, TreeNode> = HashMap::new();
    let mut roots = vec![root.path.clone()];
    let moved_ids: Vec<String> = later_moves.iter().map(|m| m.0.clone()).collect();
    let moved_paths: Vec<String> = organisations::table
        .filter(organisations::id.eq_any(moved_ids))
        .select(organisations::path)
        .load(conn)?;
    roots.extend(moved_paths);
    for path in &roots {
        for row in live_under(conn, path)? {
            candidates.insert(row.id, row);
        }
    }
    // The parent on `day` is the `from` of the first move after it.
    let mut parent_on: HashMap<Uuid, Option<Uuid>> =
        candidates.values().map(|o| (o.id, o.parent_id)).collect();
    let mut seen = HashSet::new();
    for (organisation, from_parent, _, _) in later_moves {
        let organisation = uuid(&organisation)?;
        if seen.insert(organisation) && parent_on.contains_key(&organisation) {
            parent_on.insert(organisation, from_parent.as_deref().map(uuid).transpose()?);
        }
    }
    let mut children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (id, parent) in &parent_on {
        if let Some(parent) = parent {
            children.entry(*parent).or_default().push(*id);
        }
    }
    let live_in_range = candidates.len();
    let mut result = Vec::new();
    let mut stack = vec![root_id];
    let mut visited = HashSet::new();
    while let Some(id) = stack.pop() {
        if !visited.insert(id) {
            continue;
        }
        if let Some(row) = candidates.remove(&id) {
            result.push(row);
        }
        if let Some(kids) = children.get(&id) {
            stack.extend(kids.iter().copied());
        }
    }
    // No organisation that moved is still live, and the walk reached every
    // live organisation in the root's range: that range is the subtree.
    let range =
        (roots.len() == 1 && result.len() == live_in_range).then(|| subtree_range(&root.path));
    Ok(Subtree {
        rows: result,
        root_id,
        range,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, kind: OrganisationKind, dissolved_on: Option<NaiveDate>) -> TreeNode {
        TreeNode {
            id: uuid(id).expect("a UUID"),
            kind,
            parent_id: None,
            locality_id: None,
            established_on: None,
            dissolved_on,
        }
    }

    #[test]
    fn the_ids_of_some_kinds_are_listed_or_queried_by_path_range() {
        let day = NaiveDate::from_ymd_opt(2016, 12, 31).expect("a day");
        let dissolved = NaiveDate::from_ymd_opt(2016, 6, 1);
        let (cell, gone, committee) = (
            "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61",
            "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a62",
            "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a63",
        );
        let mut subtree = Subtree {
            rows: vec![
                node(cell, OrganisationKind::GrassrootsCell, None),
                node(gone, OrganisationKind::GrassrootsCell, dissolved),
                node(committee, OrganisationKind::DistrictCommittee, None),
            ],
            root_id: uuid(committee).expect("a UUID"),
            range: None,
        };
        let cells = [OrganisationKind::GrassrootsCell];
        assert_eq!(
            subtree.ids_sql_of(&cells, None),
            format!("'{cell}','{gone}'")
        );
        assert_eq!(subtree.ids_sql_of(&cells, Some(day)), format!("'{cell}'"));

        subtree.range = Some(("/a/".to_owned(), "/a0".to_owned()));
        let queried = subtree.ids_sql_of(&cells, Some(day));
        assert!(queried.starts_with("SELECT id FROM organisations WHERE deleted_at IS NULL AND path >= '/a/' AND path < '/a0'"));
        assert!(queried.contains("AND kind IN ('grassroots_cell')"));
        assert!(queried.contains("(dissolved_on IS NULL OR dissolved_on > '2016-12-31')"));
    }
}
