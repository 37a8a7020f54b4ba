//! The organisation tree as it stood on a past date.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::auth::subtree_range;
use crate::db::schema::{organisation_moves, organisations};
use crate::db::{child_path, DbConnection};
use crate::error::ApiResult;
use crate::organisations::model::OrganisationRow;
use crate::vocabularies::OrganisationKind;

use super::sql::ids;

/// What the reports read of an organisation in a subtree: its parent,
/// kind, dates and village. Not the whole row: the country's 212 k
/// organisations were read whole (names, codes, search names, instants)
/// into a map, then walked through three more maps of copied ids: over
/// 110 MB at the start of its report (heaptrack).
#[derive(Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct TreeNode {
    pub id: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub locality_id: Option<String>,
    pub established_on: Option<NaiveDate>,
    pub dissolved_on: Option<NaiveDate>,
}

impl TreeNode {
    pub fn kind(&self) -> OrganisationKind {
        OrganisationKind::from_db(&self.kind)
    }
}

/// An organisation's subtree as it stood on a day.
pub struct Subtree {
    /// Every organisation in it.
    pub rows: Vec<TreeNode>,
    root_id: String,
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
            None => ids(&self.rows.iter().map(|o| o.id.clone()).collect::<Vec<_>>()),
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
                    .filter(|o| o.parent_id.as_deref() == Some(self.root_id.as_str()))
                    .map(|o| child_path(Some(root_path), &o.id))
                    .collect();
                children.sort_unstable();
                let per_part = children.len().div_ceil(parts).max(1);
                let mut sql = vec![ids(std::slice::from_ref(&self.root_id))];
                sql.extend(children.chunks(per_part).map(|run| {
                    let (_, hi) = subtree_range(&run[run.len() - 1]);
                    in_path_range(&run[0], &hi)
                }));
                sql
            }
            None => {
                let all: Vec<String> = self.rows.iter().map(|o| o.id.clone()).collect();
                all.chunks(all.len().div_ceil(parts).max(1))
                    .map(ids)
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
        Ok(organisations::table
            .filter(organisations::deleted_at.is_null())
            .filter(organisations::path.ge(lo))
            .filter(organisations::path.lt(hi))
            .select(TreeNode::as_select())
            .load(conn)?)
    };
    // Nothing moved since `day`: the tree then is today's, and the root's
    // path range holds it (paths follow parents, and an organisation with
    // live children cannot be deleted).
    if later_moves.is_empty() {
        return Ok(Subtree {
            rows: live_under(conn, &root.path)?,
            root_id: root.id.clone(),
            range: Some(subtree_range(&root.path)),
        });
    }
    // Candidates: today's subtree, plus the subtrees of organisations that
    // moved after `day` (they may have been under the root then).
    let mut candidates: HashMap<String, TreeNode> = HashMap::new();
    let mut roots = vec![root.path.clone()];
    let moved_ids: Vec<String> = later_moves.iter().map(|m| m.0.clone()).collect();
    let moved_paths: Vec<String> = organisations::table
        .filter(organisations::id.eq_any(moved_ids))
        .select(organisations::path)
        .load(conn)?;
    roots.extend(moved_paths);
    for path in &roots {
        for row in live_under(conn, path)? {
            candidates.insert(row.id.clone(), row);
        }
    }
    // The parent on `day` is the `from` of the first move after it.
    let mut parent_on: HashMap<String, Option<String>> = candidates
        .values()
        .map(|o| (o.id.clone(), o.parent_id.clone()))
        .collect();
    let mut seen = HashSet::new();
    for (organisation, from_parent, _, _) in later_moves {
        if seen.insert(organisation.clone()) && parent_on.contains_key(&organisation) {
            parent_on.insert(organisation, from_parent);
        }
    }
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    for (id, parent) in &parent_on {
        if let Some(parent) = parent {
            children.entry(parent.clone()).or_default().push(id.clone());
        }
    }
    let live_in_range = candidates.len();
    let mut result = Vec::new();
    let mut stack = vec![root.id.clone()];
    let mut visited = HashSet::new();
    while let Some(id) = stack.pop() {
        if !visited.insert(id.clone()) {
            continue;
        }
        if let Some(row) = candidates.remove(&id) {
            result.push(row);
        }
        if let Some(kids) = children.get(&id) {
            stack.extend(kids.iter().cloned());
        }
    }
    // No organisation that moved is still live, and the walk reached every
    // live organisation in the root's range: that range is the subtree.
    let range =
        (roots.len() == 1 && result.len() == live_in_range).then(|| subtree_range(&root.path));
    Ok(Subtree {
        rows: result,
        root_id: root.id.clone(),
        range,
    })
}
