//! The annual report (SPEC section 7): every figure computed from dated
//! facts for the organisation's subtree as it stood on 31 December, with
//! aggregate SQL, so a past year's report does not change when later events
//! are recorded.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use chrono::{Datelike, NaiveDate};
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;
use diesel::sql_query;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ratio::Ratio;
use super::sql::{date, tuned_for_aggregates, Count, KeyCount};
use super::tree::{subtree_on, uuid, Subtree, TreeNode};
use crate::db::{share_out, DbConnection, Task};
use crate::error::{ApiError, ApiResult};
use crate::i18n::Msg;
use crate::localities::rules::is_village;
use crate::organisations::model::OrganisationRow;
use crate::organisations::rules::{active_on, is_cell, is_grassroots};
use crate::vocabularies::{Ethnicity, LocalityKind, OrganisationKind};

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationFigures {
    /// Grassroots organisations (committees and cells) active on 31 Dec.
    pub grassroots: i64,
    /// Active organisations per kind on 31 Dec.
    pub by_kind: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberFigures {
    /// Members counted on 31 Dec (probationary, official, exempt), each in its home cell.
    pub total: i64,
    pub by_status: BTreeMap<String, i64>,
    pub female: i64,
    pub ethnic_minority: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdmissionFigures {
    pub admitted: i64,
    /// Sum of the year's admission quotas in the subtree.
    pub target: i64,
    pub achievement: Ratio,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CardFigures {
    pub issued: i64,
    pub reissued: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BadgeFigures {
    pub proposed: i64,
    pub awarded: i64,
    /// The year's proposals per milestone.
    pub by_milestone: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingFigures {
    /// Classes starting in the year.
    pub classes: i64,
    /// Their enrolments, withdrawn ones left out.
    pub participants: i64,
    pub participants_female: i64,
    pub participants_ethnic_minority: i64,
    /// Younger than 35 when the class started.
    pub participants_under_35: i64,
}

/// Ratings of one kind of subject: how many were rated, and each rating of those.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingFigures {
    pub rated: i64,
    pub excellent: Ratio,
    pub good: Ratio,
    pub satisfactory: Ratio,
    pub unsatisfactory: Ratio,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingsFigures {
    pub grassroots: RatingFigures,
    pub all_organisations: RatingFigures,
    pub members: RatingFigures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardFigures {
    pub grassroots: i64,
    pub subordinate_cells: i64,
    pub members: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonnelFigures {
    pub appointments: i64,
    pub rotations: i64,
    pub transfers: i64,
    pub secondments: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VillageFigures {
    pub total: i64,
    pub without_members: i64,
    pub without_cell: i64,
    pub unstable: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StudyFigures {
    pub campaign_id: String,
    pub title: String,
    pub organisations_held: Ratio,
    pub members_attended: Ratio,
    pub masses_attended: Ratio,
}

/// The annual report.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualReport {
    pub year: i32,
    pub organisation_id: String,
    pub as_of: NaiveDate,
    pub organisations: OrganisationFigures,
    pub members: MemberFigures,
    pub admissions: AdmissionFigures,
    pub recognitions: i64,
    pub cards: CardFigures,
    pub badges: BadgeFigures,
    pub training: TrainingFigures,
    pub ratings: RatingsFigures,
    pub awards: AwardFigures,
    pub personnel: PersonnelFigures,
    pub villages: VillageFigures,
    pub study: Vec<StudyFigures>,
}

fn count(conn: &mut DbConnection, sql: String) -> ApiResult<i64> {
    Ok(sql_query(sql).get_result::<Count>(conn)?.n)
}

fn key_counts(conn: &mut DbConnection, sql: String) -> ApiResult<Vec<(String, i64)>> {
    Ok(sql_query(sql)
        .load::<KeyCount>(conn)?
        .into_iter()
        .map(|r| (r.key, r.n))
        .collect())
}

/// Members counted on a day who live in one village (or whose village is
/// not recorded), as PostgreSQL groups them.
#[derive(QueryableByName)]
struct ResidenceGroup {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    residence: Option<String>,
    #[diesel(embed)]
    tally: Tally,
}

/// How many members of a group were counted, in each status, women and of
/// an ethnic minority.
#[derive(QueryableByName, Default)]
struct Tally {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    official: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    probationary: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    exempt: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    female: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    minority: i64,
}

/// The register on `day` for members whose home cell is in `cells`, one
/// group per village of residence: each member's state on a day is the
/// event whose span (its day until the next event's day) covers it, read
/// off the `member_events_cell_span` index.
///
/// `CROSS JOIN` fixes SQLite's join order (PostgreSQL plans it as an inner
/// join): from the cells' events to their members and people. With fresh
/// statistics SQLite preferred to walk every person by village instead,
/// and a 300 k-member province took 2.4 s instead of 0.65 s.
///
/// PostgreSQL counts per village in SQL (a hash aggregate). SQLite would
/// group through a temporary B-tree, sorting every counted member first: a
/// quarter of the register's time at 300 k members (170 of 670 ms), and the
/// country's 5.5 M rows held in memory. On SQLite the members stream by
/// instead, one small row each (village, traits), counted in a map.
///
/// The part's counts are added to `register` when it is read, so parts
/// read side by side (see `compute`) are never all held at once.
fn register_on(
    conn: &mut DbConnection,
    cells: &str,
    day: NaiveDate,
    register: &Mutex<Register>,
) -> ApiResult<()> {
    let day = date(day);
    let minorities = Ethnicity::ALL
        .iter()
        .filter(|e| e.is_minority())
        .map(|e| format!("'{}'", e.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let counted = format!(
        "FROM member_events e \
         CROSS JOIN members m CROSS JOIN people p \
         WHERE m.id = e.member_id AND p.id = m.person_id \
           AND e.organisation_after IN ({cells}) AND e.occurred_on <= {day} \
           AND (e.superseded_on IS NULL OR e.superseded_on > {day}) \
           AND e.status_after IN ('probationary', 'official', 'exempt') \
           AND m.deleted_at IS NULL"
    );
    match conn {
        DbConnection::Sqlite(conn) => {
            let sql = format!(
                "SELECT p.residence_locality_id AS residence, \
                        CASE e.status_after WHEN 'official' THEN {OFFICIAL} \
                             WHEN 'probationary' THEN {PROBATIONARY} ELSE {EXEMPT} END \
                        + CASE WHEN p.gender = 'female' THEN {FEMALE} ELSE 0 END \
                        + CASE WHEN p.ethnicity IN ({minorities}) THEN {MINORITY} ELSE 0 END AS traits \
                 {counted}"
            );
            let mut part = Register::default();
            for member in sql_query(sql).load_iter::<CountedMember, DefaultLoadingMode>(conn)? {
                let member = member?;
                part.tally_of(member.residence)?.count(member.traits);
            }
            lock(register).add_register(part);
            Ok(())
        }
        DbConnection::Postgresql(conn) => {
            let groups = sql_query(format!(
            "SELECT p.residence_locality_id AS residence, COUNT(*) AS n, \
                    SUM(CASE WHEN e.status_after = 'official' THEN 1 ELSE 0 END) AS official, \
                    SUM(CASE WHEN e.status_after = 'probationary' THEN 1 ELSE 0 END) AS probationary, \
                    SUM(CASE WHEN e.status_after = 'exempt' THEN 1 ELSE 0 END) AS exempt, \
                    SUM(CASE WHEN p.gender = 'female' THEN 1 ELSE 0 END) AS female, \
                    SUM(CASE WHEN p.ethnicity IN ({minorities}) THEN 1 ELSE 0 END) AS minority \
             {counted} GROUP BY p.residence_locality_id"
            ))
            .load::<ResidenceGroup>(conn)?;
            let mut register = lock(register);
            for group in groups {
                register.tally_of(group.residence)?.add(&group.tally);
            }
            Ok(())
        }
    }
}

/// The register's lock, whether or not a part that held it panicked (the
/// panic is raised again by `share_out`).
fn lock(register: &Mutex<Register>) -> std::sync::MutexGuard<'_, Register> {
    register.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The members counted on a day, by village of residence. Keyed by UUID:
/// the country's 183 k villages as `String` keys beside a copy of the key
/// in each value took 38 MB while the map grew (heaptrack).
#[derive(Default)]
struct Register {
    by_village: HashMap<Uuid, Tally>,
    /// Members whose village of residence is not recorded.
    unrecorded: Tally,
}

impl Register {
    /// The tally of the village `residence` (or of the unrecorded).
    fn tally_of(&mut self, residence: Option<String>) -> ApiResult<&mut Tally> {
        Ok(match residence {
            Some(village) => self.by_village.entry(uuid(&village)?).or_default(),
            None => &mut self.unrecorded,
        })
    }

    /// Adds the counts of another part of the register.
    fn add_register(&mut self, part: Register) {
        self.unrecorded.add(&part.unrecorded);
        if self.by_village.is_empty() {
            self.by_village = part.by_village;
            return;
        }
        for (village, tally) in part.by_village {
            match self.by_village.entry(village) {
                Entry::Occupied(mut same) => same.get_mut().add(&tally),
                Entry::Vacant(new) => {
                    new.insert(tally);
                }
            }
        }
    }

    /// The sum of `figure` over every tally.
    fn sum(&self, figure: fn(&Tally) -> i64) -> i64 {
        figure(&self.unrecorded) + self.by_village.values().map(figure).sum::<i64>()
    }

    /// Counted and official members residing in `village`.
    fn residents(&self, village: &Uuid) -> (i64, i64) {
        self.by_village
            .get(village)
            .map_or((0, 0), |tally| (tally.n, tally.official))
    }
}

/// A counted member's traits, as `register_on` streams them on SQLite: its
/// status (one of the first three) plus the flags that apply.
const OFFICIAL: i32 = 1;
const PROBATIONARY: i32 = 2;
const EXEMPT: i32 = 3;
const FEMALE: i32 = 4;
const MINORITY: i32 = 8;

/// One counted member, streamed (see `register_on`).
#[derive(QueryableByName)]
struct CountedMember {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    residence: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    traits: i32,
}

impl Tally {
    /// Adds the counts of `other` (the same village, from another part).
    fn add(&mut self, other: &Tally) {
        self.n += other.n;
        self.official += other.official;
        self.probationary += other.probationary;
        self.exempt += other.exempt;
        self.female += other.female;
        self.minority += other.minority;
    }

    /// Counts one member with `traits` (see `OFFICIAL` … `MINORITY`).
    fn count(&mut self, traits: i32) {
        self.n += 1;
        match traits & 3 {
            OFFICIAL => self.official += 1,
            PROBATIONARY => self.probationary += 1,
            _ => self.exempt += 1,
        }
        self.female += i64::from(traits & FEMALE != 0);
        self.minority += i64::from(traits & MINORITY != 0);
    }
}

/// The villages report for `root`'s subtree on 31 December of `year`.
pub fn villages(
    conn: &mut DbConnection,
    root: &OrganisationRow,
    year: i32,
) -> ApiResult<VillageSets> {
    let end = NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or_else(|| ApiError::invalid_field("year", "out_of_range", Msg::NoSuchYear))?;
    let subtree = subtree_on(conn, root, end)?;
    let register = Mutex::new(Register::default());
    register_on(conn, &subtree.ids_sql(), end, &register)?;
    let register = register
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    village_sets(conn, root, &subtree.rows, &register, end)
}

fn is_minority(code: &str) -> bool {
    Ethnicity::parse(code).is_some_and(Ethnicity::is_minority)
}

/// How many of the year's assessments matching a filter got each rating.
#[derive(QueryableByName)]
struct RatingCounts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    rated: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    excellent: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    good: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    satisfactory: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    unsatisfactory: i64,
}

/// Counts per rating of the year's assessments matching `filter`.
///
/// One aggregate with a sum per rating, not `GROUP BY rating`: SQLite
/// grouped through a sorter holding every assessment counted, which for
/// the country's members (5 M of them a year) was 159 MB of the report's
/// 396 MB peak (heaptrack).
fn ratings(conn: &mut DbConnection, year: i32, filter: String) -> ApiResult<RatingFigures> {
    let sum = |rating: &str| {
        format!("COALESCE(SUM(CASE WHEN rating = '{rating}' THEN 1 ELSE 0 END), 0) AS {rating}")
    };
    let counts: RatingCounts = sql_query(format!(
        "SELECT COUNT(*) AS rated, {}, {}, {}, {} FROM assessments \
         WHERE deleted_at IS NULL AND year = {year} AND {filter}",
        sum("excellent"),
        sum("good"),
        sum("satisfactory"),
        sum("unsatisfactory"),
    ))
    .get_result(conn)?;
    let rated = counts.rated;
    Ok(RatingFigures {
        rated,
        excellent: Ratio::new(counts.excellent, rated),
        good: Ratio::new(counts.good, rated),
        satisfactory: Ratio::new(counts.satisfactory, rated),
        unsatisfactory: Ratio::new(counts.unsatisfactory, rated),
    })
}

/// Computes the annual report for `root`'s subtree and `year`.
/// The register on 31 December and the year's figures are independent and
/// together most of the time (at 300 k members 0.7 s and 0.45 s): they are
/// read side by side when `spare` is a second connection.
pub fn compute(
    conn: &mut DbConnection,
    spare: Option<&mut DbConnection>,
    root: &OrganisationRow,
    year: i32,
) -> ApiResult<AnnualReport> {
    let started = std::time::Instant::now();
    let end = NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or_else(|| ApiError::invalid_field("year", "out_of_range", Msg::NoSuchYear))?;
    let subtree = subtree_on(conn, root, end)?;
    let (tree, all) = (&subtree.rows, subtree.ids_sql());
    let active: Vec<&TreeNode> = tree
        .iter()
        .filter(|o| active_on(o.established_on, o.dissolved_on, end))
        .collect();

    let mut by_kind = BTreeMap::new();
    for organisation in &active {
        *by_kind
            .entry(organisation.kind.as_str().to_owned())
            .or_insert(0) += 1;
    }
    let grassroots_active = active.iter().filter(|o| is_grassroots(o.kind)).count() as i64;
    let organisations = OrganisationFigures {
        grassroots: grassroots_active,
        by_kind,
    };

    // Members on 31 December, and the dated figures of the year: the year's
    // figures first, then the register part by part, shared out over two
    // connections when a second is free. On SQLite a part's cost is its
    // cells' members (index lookups from their events); PostgreSQL hash-joins
    // whole tables for any part, so it reads the register in one.
    let parts = match conn {
        DbConnection::Sqlite(_) if spare.is_some() => subtree.ids_sql_in_parts(REGISTER_PARTS),
        _ => vec![all.clone()],
    };
    let register = Mutex::new(Register::default());
    let mut tasks: Vec<Task<'_, ReportPart>> = vec![Box::new(|conn| {
        ReportPart::Year(
            tuned_for_aggregates(conn, |conn| year_figures(conn, year, &subtree, &all))
                .map(Box::new),
        )
    })];
    tasks.extend(parts.iter().map(|cells| -> Task<'_, ReportPart> {
        let register = &register;
        Box::new(move |conn| {
            ReportPart::Register(tuned_for_aggregates(conn, |conn| {
                register_on(conn, cells, end, register)
            }))
        })
    }));
    let mut of_year = None;
    for part in share_out(conn, spare, tasks) {
        match part {
            ReportPart::Year(figures) => of_year = Some(figures?),
            ReportPart::Register(read) => read?,
        }
    }
    let of_year = of_year.ok_or_else(|| ApiError::Internal("no year's figures".into()))?;
    let register = register
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "report: register and the year's figures"
    );
    let sum = |figure: fn(&Tally) -> i64| register.sum(figure);
    let by_status: BTreeMap<String, i64> = [
        ("official", sum(|g| g.official)),
        ("probationary", sum(|g| g.probationary)),
        ("exempt", sum(|g| g.exempt)),
    ]
    .into_iter()
    .map(|(status, n)| (status.to_owned(), n))
    .collect();
    let (female, minority, total) = (sum(|g| g.female), sum(|g| g.minority), sum(|g| g.n));
    let members = MemberFigures {
        total,
        by_status,
        female,
        ethnic_minority: minority,
    };

    // Villages of the organisation's area existing on 31 December.
    let villages = village_figures(conn, root, tree, &register, end)?;

    // Study campaigns of the year with participation in the subtree.
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "report: villages"
    );
    let grassroots_on_the_day = subtree.ids_sql_of(&GRASSROOTS, Some(end));
    let study = study_figures(
        conn,
        year,
        &all,
        &grassroots_on_the_day,
        grassroots_active,
        total,
    )?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "report: study");

    Ok(AnnualReport {
        year,
        organisation_id: root.id.clone(),
        as_of: end,
        organisations,
        members,
        admissions: of_year.admissions,
        recognitions: of_year.recognitions,
        cards: of_year.cards,
        badges: of_year.badges,
        training: of_year.training,
        ratings: of_year.ratings,
        awards: of_year.awards,
        personnel: of_year.personnel,
        villages,
        study,
    })
}

/// A part of the annual report read on its own (see `compute`).
enum ReportPart {
    Year(ApiResult<Box<YearFigures>>),
    Register(ApiResult<()>),
}

/// How many parts the register is read in when two connections share it:
/// enough that neither waits long on the other's last part, few enough that
/// a district's report runs a handful of queries.
const REGISTER_PARTS: usize = 16;

/// What `year_figures` counts.
struct YearFigures {
    admissions: AdmissionFigures,
    recognitions: i64,
    cards: CardFigures,
    badges: BadgeFigures,
    training: TrainingFigures,
    ratings: RatingsFigures,
    awards: AwardFigures,
    personnel: PersonnelFigures,
}

/// The kinds of grassroots organisations (see `is_grassroots`).
const GRASSROOTS: [OrganisationKind; 2] = [
    OrganisationKind::GrassrootsCommittee,
    OrganisationKind::GrassrootsCell,
];

/// Whether the member of event `e` is deleted, for `NOT EXISTS (…)`: the
/// year's counts leave deleted members out this way rather than by joining
/// every member, so that PostgreSQL reads the few deleted ones (through
/// `members_deleted`) instead of hashing the whole register (1.1 s of the
/// country's recognitions count, `EXPLAIN ANALYZE`).
const DELETED_MEMBER: &str =
    "SELECT 1 FROM members m WHERE m.id = e.member_id AND m.deleted_at IS NOT NULL";

/// The figures of what happened in the year (admissions, recognitions,
/// cards, badges, training, ratings, awards, personnel) for `subtree`,
/// whose ids `all` names for an SQL `IN (…)` (`Subtree::ids_sql`).
fn year_figures(
    conn: &mut DbConnection,
    year: i32,
    subtree: &Subtree,
    all: &str,
) -> ApiResult<YearFigures> {
    let (Some(start), Some(end)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(ApiError::invalid_field(
            "year",
            "out_of_range",
            Msg::NoSuchYear,
        ));
    };
    let (from, to) = (date(start), date(end));
    let started = std::time::Instant::now();

    // Dated member events of the year, counted by kind, with each badge
    // proposal's detail (its milestone) kept apart: one pass over the
    // year's events instead of a second one for the proposals (77 of 330 ms
    // of this section for a 300 k-member province).
    #[derive(QueryableByName)]
    struct KindCount {
        #[diesel(sql_type = diesel::sql_types::Text)]
        kind: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        detail: Option<String>,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let of_year =
        format!("e.organisation_after IN ({all}) AND e.occurred_on BETWEEN {from} AND {to}");
    // Events of `kinds`, and registrations on the admission day, of members
    // not deleted: `count` is what each row adds up, and `group_by` how.
    let joined = |kinds: &str, count: &str, group_by: &str| {
        format!(
            "SELECT e.kind AS kind, CASE WHEN e.kind = 'badge_proposed' THEN e.detail END AS detail, {count} AS n \
             FROM member_events e JOIN members m ON m.id = e.member_id \
             WHERE m.deleted_at IS NULL AND {of_year} \
               AND (e.kind IN ({kinds}) OR (e.kind = 'registered' AND e.occurred_on = m.admitted_on)) \
             {group_by}"
        )
    };
    let events: Vec<KindCount> = match conn {
        // SQLite groups by sorting every row first, held in memory: for the
        // country 40 MB of the report's peak. The year's events stream by
        // instead, one small row each, added up here.
        DbConnection::Sqlite(conn) => {
            let sql = joined(
                "'admitted', 'card_issued', 'card_reissued', 'badge_proposed', 'badge_awarded'",
                "1",
                "",
            );
            let mut counts: HashMap<(String, Option<String>), i64> = HashMap::new();
            for row in sql_query(sql).load_iter::<KindCount, DefaultLoadingMode>(conn)? {
                let row = row?;
                *counts.entry((row.kind, row.detail)).or_insert(0) += row.n;
            }
            counts
                .into_iter()
                .map(|((kind, detail), n)| KindCount { kind, detail, n })
                .collect()
        }
        // The same counts in two parts, so that the larger one is an
        // index-only scan of `member_events_year_kinds` (see its migration):
        // the kinds that need neither the event's detail nor the member's
        // admission day, with deleted members left out by an anti-join to
        // the few of them. For the country (5.5 M members): 6.5 s → 0.9 s.
        DbConnection::Postgresql(_) => sql_query(format!(
            "SELECT e.kind AS kind, NULL AS detail, COUNT(*) AS n FROM member_events e \
             WHERE {of_year} AND e.kind IN ('admitted', 'card_issued', 'card_reissued', 'badge_awarded') \
               AND NOT EXISTS ({DELETED_MEMBER}) \
             GROUP BY e.kind \
             UNION ALL {}",
            joined(
                "'badge_proposed'",
                "COUNT(*)",
                "GROUP BY e.kind, CASE WHEN e.kind = 'badge_proposed' THEN e.detail END"
            )
        ))
        .load(conn)?,
    };
    let kind = |k: &str| {
        events
            .iter()
            .filter(|row| row.kind == k)
            .map(|row| row.n)
            .sum::<i64>()
    };
    let admitted = kind("admitted") + kind("registered");
    let target = count(
        conn,
        format!("SELECT COALESCE(SUM(target), 0) AS n FROM admission_quotas WHERE deleted_at IS NULL AND year = {year} AND organisation_id IN ({all})"),
    )?;
    let admissions = AdmissionFigures {
        admitted,
        target,
        achievement: Ratio::new(admitted, target),
    };
    let recognitions = count(
        conn,
        format!(
            "SELECT COUNT(*) AS n FROM member_events e \
             WHERE e.kind = 'recognised' AND e.organisation_after IN ({all}) \
               AND COALESCE(e.decided_on, e.occurred_on) BETWEEN {from} AND {to} \
               AND NOT EXISTS ({DELETED_MEMBER})"
        ),
    )?;
    let cards = CardFigures {
        issued: kind("card_issued"),
        reissued: kind("card_reissued"),
    };
    let mut by_milestone = BTreeMap::new();
    for (detail, n) in events
        .iter()
        .filter_map(|row| Some((row.detail.as_deref()?, row.n)))
    {
        if let Some(milestone) = serde_json::from_str::<serde_json::Value>(detail)
            .ok()
            .and_then(|v| v["milestone"].as_u64())
        {
            *by_milestone.entry(milestone.to_string()).or_insert(0) += n;
        }
    }
    let badges = BadgeFigures {
        proposed: kind("badge_proposed"),
        awarded: kind("badge_awarded"),
        by_milestone,
    };

    tracing::debug!(ms = started.elapsed().as_millis() as u64, "report: events");
    // Training: classes starting in the year, run by the subtree.
    let classes_where = format!("c.deleted_at IS NULL AND c.organiser_organisation_id IN ({all}) AND c.starts_on BETWEEN {from} AND {to}");
    let classes = count(
        conn,
        format!("SELECT COUNT(*) AS n FROM training_classes c WHERE {classes_where}"),
    )?;
    #[derive(QueryableByName)]
    struct Participant {
        #[diesel(sql_type = diesel::sql_types::Text)]
        gender: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        ethnicity: String,
        #[diesel(sql_type = diesel::sql_types::Date)]
        date_of_birth: NaiveDate,
        #[diesel(sql_type = diesel::sql_types::Date)]
        starts_on: NaiveDate,
    }
    // Streamed and counted: the country's participants, loaded whole, were
    // 15 MB at the report's peak (heaptrack).
    let mut training = TrainingFigures {
        classes,
        participants: 0,
        participants_female: 0,
        participants_ethnic_minority: 0,
        participants_under_35: 0,
    };
    for participant in sql_query(format!(
        "SELECT p.gender AS gender, p.ethnicity AS ethnicity, p.date_of_birth AS date_of_birth, c.starts_on AS starts_on \
         FROM enrolments n JOIN training_classes c ON c.id = n.class_id JOIN people p ON p.id = n.person_id \
         WHERE n.deleted_at IS NULL AND n.status <> 'withdrawn' AND {classes_where}"
    ))
    .load_iter::<Participant, DefaultLoadingMode>(conn)?
    {
        let p = participant?;
        let under_35 = crate::people::rules::age_in_months(p.date_of_birth, p.starts_on) < 35 * 12;
        training.participants += 1;
        training.participants_female += i64::from(p.gender == "female");
        training.participants_ethnic_minority += i64::from(is_minority(&p.ethnicity));
        training.participants_under_35 += i64::from(under_35);
    }

    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "report: training"
    );
    // Ratings of the year.
    let grassroots_all = subtree.ids_sql_of(&GRASSROOTS, None);
    // Organisations are rated as themselves, members under their cell.
    let ratings = RatingsFigures {
        grassroots: ratings(
            conn,
            year,
            format!("subject_type = 'organisation' AND subject_id IN ({grassroots_all})"),
        )?,
        all_organisations: ratings(
            conn,
            year,
            format!("subject_type = 'organisation' AND subject_id IN ({all})"),
        )?,
        members: ratings(
            conn,
            year,
            format!("subject_type = 'member' AND organisation_id IN ({all})"),
        )?,
    };

    // Awards of the year, by kind of recipient.
    let subordinate_cells = subtree.ids_sql_of(&[OrganisationKind::SubordinateCell], None);
    let award_count = |conn: &mut DbConnection, recipient: &str, recipients: &str| {
        count(
            conn,
            format!(
                "SELECT COUNT(*) AS n FROM awards WHERE deleted_at IS NULL AND year = {year} \
                 AND recipient_type = '{recipient}' AND recipient_id IN ({recipients})"
            ),
        )
    };
    let awards = AwardFigures {
        grassroots: award_count(conn, "organisation", &grassroots_all)?,
        subordinate_cells: award_count(conn, "organisation", &subordinate_cells)?,
        members: count(
            conn,
            format!(
                "SELECT COUNT(*) AS n FROM awards WHERE deleted_at IS NULL AND year = {year} \
                 AND recipient_type = 'member' AND organisation_id IN ({all})"
            ),
        )?,
    };

    // Personnel: appointments and movements starting in the year.
    let appointments = count(
        conn,
        format!(
            "SELECT COUNT(*) AS n FROM appointments a JOIN positions p ON p.id = a.position_id \
             LEFT JOIN cadres c ON c.id = a.cadre_id \
             WHERE a.deleted_at IS NULL AND a.starts_on BETWEEN {from} AND {to} \
               AND (p.organisation_id IN ({all}) OR (p.organisation_id IS NULL AND c.organisation_id IN ({all})))"
        ),
    )?;
    let moves = key_counts(
        conn,
        format!(
            "SELECT r.kind AS key, COUNT(*) AS n FROM rotations r JOIN cadres c ON c.id = r.cadre_id \
             WHERE r.deleted_at IS NULL AND r.status <> 'cancelled' AND r.starts_on BETWEEN {from} AND {to} \
               AND (c.organisation_id IN ({all}) OR r.to_organisation_id IN ({all})) \
             GROUP BY r.kind"
        ),
    )?;
    let movement = |k: &str| {
        moves
            .iter()
            .find(|(key, _)| key == k)
            .map_or(0, |(_, n)| *n)
    };
    let personnel = PersonnelFigures {
        appointments,
        rotations: movement("rotation"),
        transfers: movement("transfer"),
        secondments: movement("secondment"),
    };

    Ok(YearFigures {
        admissions,
        recognitions,
        cards,
        badges,
        training,
        ratings,
        awards,
        personnel,
    })
}

/// Id, name, kind and dates of a locality.
type VillageRow = (String, String, String, Option<NaiveDate>, Option<NaiveDate>);

/// The villages of the three kinds the reports name.
#[derive(Default)]
pub struct VillageSets {
    pub all: Vec<(String, String)>,
    pub without_members: Vec<(String, String)>,
    pub without_cell: Vec<(String, String)>,
    pub unstable: Vec<(String, String)>,
}

/// How a village stands on a day (see `each_village`).
#[derive(Clone, Copy)]
struct Standing {
    /// No counted member resides there.
    without_members: bool,
    /// Members reside there, but fewer than 3 of them are official.
    unstable: bool,
    /// No active cell is based there.
    without_cell: bool,
}

/// Villages (and residential groups) within the root's locality on `day`,
/// sorted into: no counted member resides there; no active cell is based
/// there; members reside there but fewer than 3 of them are official.
fn village_sets(
    conn: &mut DbConnection,
    root: &OrganisationRow,
    tree: &[TreeNode],
    register: &Register,
    day: NaiveDate,
) -> ApiResult<VillageSets> {
    let mut sets = VillageSets::default();
    let by_name = true;
    each_village(
        conn,
        root,
        tree,
        register,
        day,
        by_name,
        |id, name, standing| {
            let village = (id, name);
            if standing.without_members {
                sets.without_members.push(village.clone());
            }
            if standing.unstable {
                sets.unstable.push(village.clone());
            }
            if standing.without_cell {
                sets.without_cell.push(village.clone());
            }
            sets.all.push(village);
        },
    )?;
    Ok(sets)
}

/// The counts of `village_sets`, without gathering the lists: the country
/// has 183 k villages, whose ids and names, sorted and copied into four
/// lists, were the largest part of its report's memory after the tree.
fn village_figures(
    conn: &mut DbConnection,
    root: &OrganisationRow,
    tree: &[TreeNode],
    register: &Register,
    day: NaiveDate,
) -> ApiResult<VillageFigures> {
    let mut figures = VillageFigures {
        total: 0,
        without_members: 0,
        without_cell: 0,
        unstable: 0,
    };
    let by_name = false;
    each_village(
        conn,
        root,
        tree,
        register,
        day,
        by_name,
        |_, _, standing| {
            figures.total += 1;
            figures.without_members += i64::from(standing.without_members);
            figures.unstable += i64::from(standing.unstable);
            figures.without_cell += i64::from(standing.without_cell);
        },
    )?;
    Ok(figures)
}

/// Calls `visit` with each village of the root's area existing on `day`
/// (by name when `by_name`), streamed from the database, and how it stands.
fn each_village(
    conn: &mut DbConnection,
    root: &OrganisationRow,
    tree: &[TreeNode],
    register: &Register,
    day: NaiveDate,
    by_name: bool,
    mut visit: impl FnMut(String, String, Standing),
) -> ApiResult<()> {
    use crate::db::schema::localities as l;
    use diesel::connection::DefaultLoadingMode;
    let Some(locality_id) = &root.locality_id else {
        return Ok(());
    };
    let area: Option<String> = l::table
        .filter(l::id.eq(locality_id))
        .select(l::path)
        .first(conn)
        .optional()?;
    let Some(area) = area else { return Ok(()) };
    let (lo, hi) = crate::auth::subtree_range(&area);
    let mut query = l::table
        .filter(l::deleted_at.is_null())
        .filter(l::path.ge(lo))
        .filter(l::path.lt(hi))
        .select((l::id, l::name, l::kind, l::established_on, l::dissolved_on))
        .into_boxed();
    if by_name {
        query = query.order(l::name.asc());
    }
    let with_cell: HashSet<Uuid> = tree
        .iter()
        .filter(|o| is_cell(o.kind) && active_on(o.established_on, o.dissolved_on, day))
        .filter_map(|o| o.locality_id)
        .collect();
    for row in query.load_iter::<VillageRow, DefaultLoadingMode>(conn)? {
        let (id, name, kind, established, dissolved) = row?;
        if !LocalityKind::parse(&kind).is_some_and(is_village)
            || !active_on(established, dissolved, day)
        {
            continue;
        }
        // A locality id that is not a UUID is no village of the tree's or
        // the register's, whose ids are all UUIDs.
        let village = Uuid::parse_str(&id).ok();
        let (members, official) = village.map_or((0, 0), |v| register.residents(&v));
        let standing = Standing {
            without_members: members == 0,
            unstable: members > 0 && official < 3,
            without_cell: !village.is_some_and(|v| with_cell.contains(&v)),
        };
        visit(id, name, standing);
    }
    Ok(())
}

#[derive(QueryableByName)]
struct CampaignRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    title: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    held: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    members_attended: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    masses_invited: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    masses_attended: i64,
}

/// The year's study campaigns with participation in the subtree (ids
/// `all`), held by how many of its `grassroots_active` grassroots
/// organisations (ids `grassroots`).
fn study_figures(
    conn: &mut DbConnection,
    year: i32,
    all: &str,
    grassroots: &str,
    grassroots_active: i64,
    members_total: i64,
) -> ApiResult<Vec<StudyFigures>> {
    let rows: Vec<CampaignRow> = sql_query(format!(
        "SELECT s.id AS id, s.title AS title, \
                COALESCE(SUM(CASE WHEN p.held AND p.organisation_id IN ({grassroots}) THEN 1 ELSE 0 END), 0) AS held, \
                COALESCE(SUM(p.members_attended), 0) AS members_attended, \
                COALESCE(SUM(p.masses_invited), 0) AS masses_invited, \
                COALESCE(SUM(p.masses_attended), 0) AS masses_attended \
         FROM study_campaigns s JOIN participations p ON p.campaign_id = s.id \
         WHERE s.deleted_at IS NULL AND p.deleted_at IS NULL AND s.year = {year} AND p.organisation_id IN ({all}) \
         GROUP BY s.id, s.title ORDER BY s.title, s.id"
    ))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| StudyFigures {
            campaign_id: r.id,
            title: r.title,
            organisations_held: Ratio::new(r.held, grassroots_active),
            members_attended: Ratio::new(r.members_attended, members_total),
            masses_attended: Ratio::new(r.masses_attended, r.masses_invited),
        })
        .collect())
}

/// The year of a report, from `?year=` (default: last year).
pub fn report_year(year: Option<i32>) -> ApiResult<i32> {
    let year = year.unwrap_or_else(|| chrono::Utc::now().year() - 1);
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
    Ok(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_member_counts_once_in_its_status_and_in_each_flag_it_has() {
        let mut group = Tally::default();
        group.count(OFFICIAL + FEMALE + MINORITY);
        group.count(PROBATIONARY + FEMALE);
        group.count(EXEMPT + MINORITY);
        group.count(OFFICIAL);
        assert_eq!(
            (group.n, group.official, group.probationary, group.exempt),
            (4, 2, 1, 1)
        );
        assert_eq!((group.female, group.minority), (2, 2));
    }

    #[test]
    fn parts_of_the_register_add_up_by_village_and_the_unrecorded() -> ApiResult<()> {
        let village = "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b01";
        let other = "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b02";
        let mut first = Register::default();
        first
            .tally_of(Some(village.to_owned()))?
            .count(OFFICIAL + FEMALE);
        first.tally_of(None)?.count(PROBATIONARY);
        let mut second = Register::default();
        second.tally_of(Some(village.to_owned()))?.count(OFFICIAL);
        second
            .tally_of(Some(other.to_owned()))?
            .count(EXEMPT + MINORITY);
        second.tally_of(None)?.count(OFFICIAL);

        let mut register = Register::default();
        register.add_register(first);
        register.add_register(second);
        let (village, other) = (uuid(village)?, uuid(other)?);
        let elsewhere = uuid("0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b03")?;
        assert_eq!(register.residents(&village), (2, 2));
        assert_eq!(register.residents(&other), (1, 0));
        assert_eq!(register.residents(&elsewhere), (0, 0));
        assert_eq!(register.sum(|t| t.n), 5);
        assert_eq!(register.sum(|t| t.official), 3);
        assert_eq!(
            (register.sum(|t| t.female), register.sum(|t| t.minority)),
            (1, 1)
        );
        assert!(register.tally_of(Some("not a UUID".to_owned())).is_err());
        Ok(())
    }
}
