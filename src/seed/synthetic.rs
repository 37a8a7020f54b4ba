//! A realistic generated register at any scale, deterministic for a seed:
//! a province of districts, communes (grassroots committees) with their
//! cells and villages, and members with dated histories. Rows are written
//! in large transactions with multi-row inserts into the same tables and
//! columns the stores use; journal entries are written for members and
//! organisations so the change feed has realistic volume.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::bulk::SqliteBulkLoad;
use super::names;
use crate::api::search::fold;
use crate::appointments::model::AppointmentRow;
use crate::assessments::model::AssessmentRow;
use crate::audit::ChangeRow;
use crate::bulk_insert;
use crate::cadres::model::CadreRow;
use crate::candidates::model::CandidateRow;
use crate::db::schema::{
    appointments, assessments, cadres, candidates, changes, enrolments, localities, member_events,
    members, organisations, people, positions, training_classes,
};
use crate::db::{child_path, Db, DbConnection};
use crate::localities::model::LocalityRow;
use crate::members::model::{MemberEventRow, MemberRow};
use crate::members::rules::BADGE_MILESTONES;
use crate::organisations::model::OrganisationRow;
use crate::people::model::PersonRow;
use crate::positions::model::PositionRow;
use crate::training_classes::model::{EnrolmentRow, TrainingClassRow};
use crate::vocabularies::{Ethnicity, MemberStatus, Rating};

/// Members per cell on average, and cells per grassroots committee.
const CELL_SIZE: usize = 30;
const CELLS_PER_COMMITTEE: usize = 6;
/// Members per district (a few thousand, as in the source document).
const DISTRICT_SIZE: usize = 3000;

/// What a run wrote.
#[derive(Debug, Default)]
pub struct Summary {
    pub organisations: usize,
    pub localities: usize,
    pub members: usize,
    pub events: usize,
}

/// Every table a run writes (`Batch::write`): their indexes are set aside
/// for the load (`SqliteBulkLoad`), and they are analysed after it.
const SEEDED_TABLES: [&str; 13] = [
    "localities",
    "organisations",
    "people",
    "members",
    "member_events",
    "changes",
    "candidates",
    "training_classes",
    "enrolments",
    "assessments",
    "cadres",
    "positions",
    "appointments",
];

/// Everything one district transaction writes.
#[derive(Default)]
struct Batch {
    organisations: Vec<OrganisationRow>,
    localities: Vec<LocalityRow>,
    people: Vec<PersonRow>,
    members: Vec<MemberRow>,
    events: Vec<MemberEventRow>,
    changes: Vec<ChangeRow>,
    candidates: Vec<CandidateRow>,
    classes: Vec<TrainingClassRow>,
    enrolments: Vec<EnrolmentRow>,
    assessments: Vec<AssessmentRow>,
    cadres: Vec<CadreRow>,
    positions: Vec<PositionRow>,
    appointments: Vec<AppointmentRow>,
}

impl Batch {
    /// Writes the batch in one transaction. `index_names`: add its members
    /// to the name-search index as the service does; a bulk load into an
    /// empty file rebuilds that index once at the end instead.
    fn write(
        &self,
        conn: &mut DbConnection,
        index_names: bool,
    ) -> Result<(), diesel::result::Error> {
        conn.transaction(|conn| {
            bulk_insert!(conn, localities::table, self.localities);
            bulk_insert!(conn, organisations::table, self.organisations);
            bulk_insert!(conn, people::table, self.people);
            if index_names {
                crate::members::store::insert_rows(conn, &self.members)?;
            } else {
                bulk_insert!(conn, members::table, self.members);
            }
            bulk_insert!(conn, member_events::table, self.events);
            bulk_insert!(conn, changes::table, self.changes);
            bulk_insert!(conn, candidates::table, self.candidates);
            bulk_insert!(conn, training_classes::table, self.classes);
            bulk_insert!(conn, enrolments::table, self.enrolments);
            bulk_insert!(conn, assessments::table, self.assessments);
            bulk_insert!(conn, cadres::table, self.cadres);
            bulk_insert!(conn, positions::table, self.positions);
            bulk_insert!(conn, appointments::table, self.appointments);
            Ok(())
        })
    }
}

struct Generator {
    rng: StdRng,
    at: NaiveDateTime,
    serial: u64,
    seed: u64,
    /// Citizen ids issued per (gender-and-century digit, birth year), so the
    /// last six digits stay unique at any scale.
    issued_ids: std::collections::HashMap<(u32, i32), u32>,
}

impl Generator {
    /// Deterministic ids: a UUID v7 layout built from the seed and a counter.
    fn id(&mut self) -> String {
        self.serial += 1;
        let millis = 1_700_000_000_000u64 + self.serial;
        let mut bytes = [0u8; 16];
        bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
        bytes[6..14].copy_from_slice(&(self.seed ^ self.serial.rotate_left(17)).to_be_bytes());
        bytes[14..].copy_from_slice(&(self.serial as u16).to_be_bytes());
        uuid::Builder::from_unix_timestamp_millis(
            millis,
            &bytes[6..16].try_into().unwrap_or([0; 10]),
        )
        .into_uuid()
        .to_string()
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.rng.gen_range(0..list.len())]
    }

    fn day_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(1);
        from + chrono::Duration::days(self.rng.gen_range(0..span))
    }

    fn locality(
        &mut self,
        code: String,
        name: String,
        kind: &str,
        parent: Option<&LocalityRow>,
    ) -> LocalityRow {
        let id = self.id();
        LocalityRow {
            path: child_path(parent.map(|p| p.path.as_str()), &id),
            search_name: fold(&format!("{name} {code}")),
            id,
            code,
            name,
            kind: kind.to_owned(),
            parent_id: parent.map(|p| p.id.clone()),
            established_on: None,
            dissolved_on: None,
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        }
    }

    fn organisation(
        &mut self,
        code: String,
        name: String,
        kind: &str,
        parent: Option<&OrganisationRow>,
        locality: &LocalityRow,
    ) -> OrganisationRow {
        let id = self.id();
        OrganisationRow {
            path: child_path(parent.map(|p| p.path.as_str()), &id),
            search_name: fold(&format!("{name} {code}")),
            id,
            code,
            name,
            kind: kind.to_owned(),
            parent_id: parent.map(|p| p.id.clone()),
            locality_id: Some(locality.id.clone()),
            established_on: NaiveDate::from_ymd_opt(1975, 1, 1),
            dissolved_on: None,
            merged_into_id: None,
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        }
    }

    fn ethnicity(&mut self) -> Ethnicity {
        match self.rng.gen_range(0..100) {
            0..=54 => Ethnicity::Kinh,
            55..=79 => Ethnicity::Thai,
            80..=91 => Ethnicity::Hmong,
            92..=95 => Ethnicity::KhoMu,
            _ => Ethnicity::ALL[self.rng.gen_range(0..Ethnicity::ALL.len())],
        }
    }

    fn person(&mut self, village: &LocalityRow, province_code: u32) -> PersonRow {
        let female = self.rng.gen_bool(0.38);
        let family = self.pick(names::FAMILY);
        let (middle, given) = if female {
            (
                self.pick(names::MIDDLE_FEMALE),
                self.pick(names::GIVEN_FEMALE),
            )
        } else {
            (self.pick(names::MIDDLE_MALE), self.pick(names::GIVEN_MALE))
        };
        let full_name = format!("{family} {middle} {given}");
        let born = self.day_between(
            NaiveDate::from_ymd_opt(1935, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(2004, 12, 31).unwrap_or_default(),
        );
        let century = if born.year() >= 2000 { 2 } else { 0 };
        let code = century + u32::from(female);
        let issued = self.issued_ids.entry((code, born.year())).or_insert(0);
        *issued += 1;
        let national_id = format!(
            "{province_code:03}{code}{:02}{:06}",
            born.year() % 100,
            *issued % 1_000_000
        );
        let at = self.at;
        PersonRow {
            id: self.id(),
            search_name: fold(&full_name),
            full_name,
            gender: if female { "female" } else { "male" }.to_owned(),
            date_of_birth: born,
            ethnicity: self.ethnicity().as_str().to_owned(),
            religion: None,
            national_id: Some(national_id),
            place_of_birth: None,
            hometown: None,
            residence_locality_id: Some(village.id.clone()),
            address: Some(format!("Bản {}", village.name)),
            phone: None,
            email: None,
            general_education: Some(self.rng.gen_range(7..=12)),
            professional_level: None,
            political_theory: Some(
                ["none", "elementary", "intermediate", "advanced"][self.rng.gen_range(0..4)]
                    .to_owned(),
            ),
            occupation: None,
            workplace: None,
            version: 1,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    fn event(
        &mut self,
        member: &MemberRow,
        kind: &str,
        on: NaiveDate,
        status: MemberStatus,
    ) -> MemberEventRow {
        MemberEventRow {
            id: self.id(),
            member_id: member.id.clone(),
            kind: kind.to_owned(),
            occurred_on: on,
            decided_on: None,
            decision_number: None,
            reason: None,
            status_after: status.as_str().to_owned(),
            organisation_after: member.organisation_id.clone(),
            detail: Some("{}".to_owned()),
            version: 1,
            created_at: self.at,
            superseded_on: None,
        }
    }

    /// A member of `cell`, with the events of its history: admission,
    /// recognition, card, for some a transfer from `earlier_cell`, a Party
    /// badge or a change of status, and the rating of the last whole year.
    /// Returns the member's id.
    fn member(
        &mut self,
        batch: &mut Batch,
        cell: &OrganisationRow,
        earlier_cell: &OrganisationRow,
        village: &LocalityRow,
        province_code: u32,
    ) -> String {
        let person = self.person(village, province_code);
        let today = self.at.date();
        let earliest = person
            .date_of_birth
            .checked_add_months(Months::new(18 * 12))
            .unwrap_or(person.date_of_birth);
        let admitted_on = self.day_between(
            earliest.max(NaiveDate::from_ymd_opt(1955, 1, 1).unwrap_or(earliest)),
            today,
        );
        let official_on = admitted_on
            .checked_add_months(Months::new(12))
            .unwrap_or(admitted_on);
        let roll = self.rng.gen_range(0..100);
        let status = if official_on > today {
            MemberStatus::Probationary
        } else {
            match roll {
                0..=2 => MemberStatus::Exempt,
                3 => MemberStatus::Deceased,
                4 => MemberStatus::Removed,
                _ => MemberStatus::Official,
            }
        };
        let number = self.serial;
        // One member in twenty-five came from another cell of the district.
        let transferred = self.rng.gen_range(0..25) == 0 && earlier_cell.id != cell.id;
        let mut member = MemberRow {
            id: self.id(),
            person_id: person.id.clone(),
            organisation_id: if transferred {
                &earlier_cell.id
            } else {
                &cell.id
            }
            .clone(),
            status: MemberStatus::Probationary.as_str().to_owned(),
            member_number: Some(format!("SN{number:09}")),
            admitted_on,
            official_on: (status != MemberStatus::Probationary).then_some(official_on),
            card_number: None,
            card_issued_on: None,
            left_on: None,
            temporary_organisation_id: None,
            mentor_member_id: None,
            search_name: person.search_name.clone(),
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        };
        let mut history =
            vec![self.event(&member, "admitted", admitted_on, MemberStatus::Probationary)];
        if status != MemberStatus::Probationary {
            member.status = MemberStatus::Official.as_str().to_owned();
            history.push(self.event(&member, "recognised", official_on, MemberStatus::Official));
            if self.rng.gen_bool(0.9) {
                let issued = self.day_between(
                    official_on,
                    (official_on + chrono::Duration::days(120)).min(today),
                );
                member.card_number = Some(format!("TD{number:09}"));
                member.card_issued_on = Some(issued);
                history.push(self.event(&member, "card_issued", issued, MemberStatus::Official));
            }
        }
        let last_event_on =
            |history: &[MemberEventRow]| history.last().map_or(admitted_on, |e| e.occurred_on);
        if transferred {
            let on = self.day_between(last_event_on(&history), today);
            member.organisation_id = cell.id.clone();
            let current = MemberStatus::from_db(&member.status);
            history.push(self.event(&member, "transferred", on, current));
        }
        if status == MemberStatus::Official {
            // The latest badge milestone reached, awarded on 7 November.
            let years = today.year() - admitted_on.year() - 1;
            if let Some(milestone) = BADGE_MILESTONES.iter().rev().find(|m| **m as i32 <= years) {
                let year = admitted_on.year() + *milestone as i32;
                let on = NaiveDate::from_ymd_opt(year, 11, 7).unwrap_or(today);
                if on > last_event_on(&history) && on <= today {
                    let mut badge = self.event(&member, "badge_awarded", on, status);
                    badge.detail = Some(format!(r#"{{"milestone":{milestone}}}"#));
                    history.push(badge);
                }
            }
        }
        if !matches!(status, MemberStatus::Probationary | MemberStatus::Official) {
            let on = self.day_between(last_event_on(&history), today);
            member.status = status.as_str().to_owned();
            if !status.is_counted() {
                member.left_on = Some(on);
            }
            history.push(self.event(&member, "status_changed", on, status));
        }
        // Events are made in date order; each lasts until the next.
        let days: Vec<NaiveDate> = history.iter().map(|e| e.occurred_on).collect();
        for (event, next) in history.iter_mut().zip(days.iter().skip(1)) {
            event.superseded_on = Some(*next);
        }
        // Rated for the last whole year if a member all of it.
        let rated_year = today.year() - 1;
        let member_all_year = NaiveDate::from_ymd_opt(rated_year, 1, 1)
            .is_some_and(|first| admitted_on < first)
            && member.left_on.is_none_or(|left| left.year() > rated_year);
        if member_all_year {
            let rating = self.rating();
            let assessment = self.assessment("member", &member.id, &cell.id, rated_year, rating);
            batch.assessments.push(assessment);
        }
        batch.events.extend(history);
        batch.changes.push(ChangeRow {
            record_type: "member".to_owned(),
            record_id: member.id.clone(),
            op: "upsert",
            version: 1,
            at: self.at,
            organisation_path: Some(cell.path.clone()),
            data: Some(format!(
                r#"{{"id":"{}","person_id":"{}","organisation_id":"{}","status":"{}","admitted_on":"{}"}}"#,
                member.id, member.person_id, member.organisation_id, member.status, member.admitted_on
            )),
        });
        let id = member.id.clone();
        batch.people.push(person);
        batch.members.push(member);
        id
    }

    /// Ratings in the shares a district reports: most good, a few excellent.
    fn rating(&mut self) -> Rating {
        match self.rng.gen_range(0..100) {
            0..=14 => Rating::Excellent,
            15..=84 => Rating::Good,
            85..=97 => Rating::Satisfactory,
            _ => Rating::Unsatisfactory,
        }
    }

    fn assessment(
        &mut self,
        subject_type: &str,
        subject_id: &str,
        organisation_id: &str,
        year: i32,
        rating: Rating,
    ) -> AssessmentRow {
        AssessmentRow {
            id: self.id(),
            subject_type: subject_type.to_owned(),
            subject_id: subject_id.to_owned(),
            organisation_id: organisation_id.to_owned(),
            year,
            rating: rating.as_str().to_owned(),
            points: None,
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        }
    }

    /// A candidate of `cell` being prepared for admission, mentored by
    /// `mentor`, and enrolled in the commune's awareness `class`.
    fn candidate(
        &mut self,
        batch: &mut Batch,
        cell: &OrganisationRow,
        village: &LocalityRow,
        mentor: &str,
        class: &TrainingClassRow,
        province_code: u32,
    ) {
        let mut person = self.person(village, province_code);
        let today = self.at.date();
        // Candidates are young: born 18 to 30 years ago.
        person.date_of_birth = self.day_between(
            today - chrono::Duration::days(30 * 365),
            today - chrono::Duration::days(18 * 366),
        );
        let completed = class.ends_on.filter(|end| *end <= today);
        batch.candidates.push(CandidateRow {
            id: self.id(),
            person_id: person.id.clone(),
            organisation_id: cell.id.clone(),
            source: ["youth_union", "militia", "association", "other"][self.rng.gen_range(0..4)]
                .to_owned(),
            identified_on: class.starts_on - chrono::Duration::days(60),
            mentor_member_id: Some(mentor.to_owned()),
            introducer_member_ids: "[]".to_owned(),
            youth_union_introduction: false,
            awareness_class_completed_on: completed,
            education_upgrade_required: false,
            education_upgrade_enrolled_on: None,
            education_upgrade_completed_on: None,
            stage: if completed.is_some() {
                "ready"
            } else {
                "preparing"
            }
            .to_owned(),
            member_id: None,
            search_name: person.search_name.clone(),
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        });
        batch.enrolments.push(EnrolmentRow {
            id: self.id(),
            class_id: class.id.clone(),
            person_id: person.id.clone(),
            status: if completed.is_some() {
                "completed"
            } else {
                "enrolled"
            }
            .to_owned(),
            completed_on: completed,
            certificate_number: None,
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        });
        batch.people.push(person);
    }

    /// The Party awareness class a grassroots committee ran last year.
    fn awareness_class(&mut self, committee: &OrganisationRow) -> TrainingClassRow {
        let year = self.at.date().year() - 1;
        let starts_on = self.day_between(
            NaiveDate::from_ymd_opt(year, 2, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(year, 11, 30).unwrap_or_default(),
        );
        let title = format!("Bồi dưỡng nhận thức về Đảng {year} – {}", committee.name);
        TrainingClassRow {
            id: self.id(),
            code: format!("{}-NT{year}", committee.code),
            search_name: fold(&title),
            title,
            kind: "party_awareness".to_owned(),
            organiser_organisation_id: committee.id.clone(),
            provider: Some("Trung tâm Chính trị huyện".to_owned()),
            venue: None,
            starts_on,
            ends_on: Some(starts_on + chrono::Duration::days(4)),
            capacity: Some(60),
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        }
    }

    /// The secretary of `organisation`: a position, its holder as a cadre,
    /// and the appointment (elected at the 2020 congress).
    fn secretary(&mut self, batch: &mut Batch, organisation: &OrganisationRow, person: &PersonRow) {
        let title = format!("Bí thư {}", organisation.name);
        let position = PositionRow {
            id: self.id(),
            search_name: fold(&title),
            title,
            body: "party".to_owned(),
            organisation_id: Some(organisation.id.clone()),
            locality_id: organisation.locality_id.clone(),
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        };
        let cadre = CadreRow {
            id: self.id(),
            person_id: person.id.clone(),
            organisation_id: Some(organisation.id.clone()),
            category: Some("leadership".to_owned()),
            full_time: true,
            in_planning: false,
            planned_positions: "[]".to_owned(),
            notes: None,
            search_name: person.search_name.clone(),
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        };
        batch.appointments.push(AppointmentRow {
            id: self.id(),
            cadre_id: cadre.id.clone(),
            position_id: position.id.clone(),
            starts_on: self.day_between(
                NaiveDate::from_ymd_opt(2020, 6, 1).unwrap_or_default(),
                NaiveDate::from_ymd_opt(2020, 9, 30).unwrap_or_default(),
            ),
            ends_on: None,
            kind: Some("elected".to_owned()),
            decision_number: None,
            version: 1,
            created_at: self.at,
            updated_at: self.at,
            deleted_at: None,
        });
        batch.positions.push(position);
        batch.cadres.push(cadre);
    }
}

/// Generates a province with about `members` members into `db`.
///
/// Generation and writing overlap: one thread makes each district's rows
/// while another writes the previous district's. Into an empty SQLite
/// register the secondary indexes and the name-search triggers are set
/// aside during the load and built once at the end (`bulk::SqliteBulkLoad`),
/// which sorts each index once instead of updating it row by row.
pub fn generate(db: &Db, members: usize, seed: u64) -> Result<Summary, String> {
    let mut conn = db.get().map_err(|e| format!("{e:?}"))?;
    let bulk_load = SqliteBulkLoad::begin(&mut conn, &SEEDED_TABLES).map_err(|e| e.to_string())?;
    let index_names = bulk_load.is_none();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(2);
    let summary = std::thread::scope(|scope| {
        let generator = scope.spawn(move || generate_batches(members, seed, &sender));
        let mut written: Result<(), String> = Ok(());
        for batch in receiver {
            // After a failed write keep draining, so the generator ends.
            if written.is_ok() {
                written = batch
                    .write(&mut conn, index_names)
                    .map_err(|e| e.to_string());
            }
        }
        let summary = generator
            .join()
            .map_err(|_| "the generator thread panicked".to_owned())?;
        written.map(|()| summary)
    })?;
    if let Some(load) = bulk_load {
        load.finish(&mut conn).map_err(|e| e.to_string())?;
    }
    // Fresh statistics: without them the planners guess a few hundred rows
    // per table and pick nested loops for the reports (6 s instead of 2 s
    // for a 300 k province on PostgreSQL before autovacuum caught up).
    // SQLite samples each index (`analysis_limit`) instead of reading all of
    // it: the same plans, in seconds instead of half a minute at 5.5 M.
    // PostgreSQL analyses the tables written here only: a bare ANALYZE
    // takes every schema of the database, and a transaction still loading
    // in another schema would be recorded as empty tables (a test then
    // planned nested loops over thousands of rows and ran for minutes).
    // It vacuums them too, as autovacuum would later: that marks their
    // pages all-visible, so the reports' index-only scans (the year's
    // events by `member_events_year_kinds`) read no table pages, and no
    // autovacuum of millions of rows starts in the middle of a benchmark.
    match &mut *conn {
        DbConnection::Sqlite(sqlite) => {
            diesel::sql_query("PRAGMA analysis_limit = 10000")
                .execute(sqlite)
                .map_err(|e| e.to_string())?;
            diesel::sql_query("ANALYZE").execute(sqlite)
        }
        DbConnection::Postgresql(pg) => {
            diesel::sql_query(format!("VACUUM (ANALYZE) {}", SEEDED_TABLES.join(", "))).execute(pg)
        }
    }
    .map_err(|e| e.to_string())?;
    Ok(summary)
}

/// Makes the register's batches, one district at a time, and hands each
/// to `sink`. Stops early if the writer has gone.
fn generate_batches(
    members: usize,
    seed: u64,
    sink: &std::sync::mpsc::SyncSender<Batch>,
) -> Summary {
    let mut g = Generator {
        rng: StdRng::seed_from_u64(seed),
        at: crate::api::now(),
        serial: 0,
        seed,
        issued_ids: std::collections::HashMap::new(),
    };
    let province_code = 11;
    let mut summary = Summary::default();
    let mut first = Batch::default();
    let province_area = g.locality(
        format!("S{seed}-P"),
        "Tỉnh Điện Biên (tổng hợp)".to_owned(),
        "province",
        None,
    );
    let province = g.organisation(
        format!("S{seed}-P"),
        "Đảng bộ tỉnh (tổng hợp)".to_owned(),
        "provincial_committee",
        None,
        &province_area,
    );
    first.localities.push(province_area.clone());
    first.organisations.push(province.clone());
    summary.organisations += 1;
    summary.localities += 1;
    if sink.send(first).is_err() {
        return summary;
    }

    let districts = members.div_ceil(DISTRICT_SIZE).max(1);
    let mut remaining = members;
    for d in 0..districts {
        let mut batch = Batch::default();
        let size = remaining.min(DISTRICT_SIZE);
        remaining -= size;
        let district_area = g.locality(
            format!("S{seed}-D{d}"),
            format!("Huyện {} {d}", names::COMMUNE[d % names::COMMUNE.len()]),
            "district",
            Some(&province_area),
        );
        let district = g.organisation(
            format!("S{seed}-D{d}"),
            format!(
                "Đảng bộ huyện {} {d}",
                names::COMMUNE[d % names::COMMUNE.len()]
            ),
            "district_committee",
            Some(&province),
            &district_area,
        );
        batch.localities.push(district_area.clone());
        batch.organisations.push(district.clone());
        let cells = size.div_ceil(CELL_SIZE).max(1);
        let committees = cells.div_ceil(CELLS_PER_COMMITTEE + 1);
        let mut placed = 0;
        let mut cell_index = 0;
        let rated_year = g.at.date().year() - 1;
        // Transfers come from the cell made before, in the same district.
        let mut earlier_cell: Option<OrganisationRow> = None;
        for c in 0..committees {
            let commune_name = names::COMMUNE[(d + c) % names::COMMUNE.len()];
            let commune_area = g.locality(
                format!("S{seed}-D{d}-C{c}"),
                format!("Xã {commune_name} {c}"),
                "commune",
                Some(&district_area),
            );
            let committee = g.organisation(
                format!("S{seed}-D{d}-C{c}"),
                format!("Đảng bộ xã {commune_name} {c}"),
                "grassroots_committee",
                Some(&district),
                &commune_area,
            );
            batch.localities.push(commune_area.clone());
            batch.organisations.push(committee.clone());
            let class = g.awareness_class(&committee);
            for k in 0..=CELLS_PER_COMMITTEE {
                if cell_index >= cells {
                    break;
                }
                let village_name = names::VILLAGE[(cell_index + d) % names::VILLAGE.len()];
                let village = g.locality(
                    format!("S{seed}-D{d}-C{c}-V{k}"),
                    format!("Bản {village_name} {k}"),
                    "village",
                    Some(&commune_area),
                );
                // The last cell of a commune stands alone as a grassroots cell.
                let (kind, parent) = if k == CELLS_PER_COMMITTEE {
                    ("grassroots_cell", &district)
                } else {
                    ("subordinate_cell", &committee)
                };
                let cell = g.organisation(
                    format!("S{seed}-D{d}-C{c}-K{k}"),
                    format!("Chi bộ bản {village_name} {k}"),
                    kind,
                    Some(parent),
                    &village,
                );
                let in_cell = (size - placed).min(CELL_SIZE);
                let first_member = batch.members.len();
                for _ in 0..in_cell {
                    let earlier = earlier_cell.as_ref().unwrap_or(&cell);
                    g.member(&mut batch, &cell, earlier, &village, province_code);
                }
                placed += in_cell;
                // An official member of the cell mentors a candidate; the
                // one of the committee's first cell is also its secretary.
                let official = batch.members[first_member..]
                    .iter()
                    .find(|m| m.status == MemberStatus::Official.as_str())
                    .map(|m| (m.id.clone(), m.person_id.clone()));
                if let Some((mentor, person_id)) = official {
                    if k == 0 {
                        let person = batch.people.iter().rev().find(|p| p.id == person_id);
                        if let Some(person) = person.cloned() {
                            g.secretary(&mut batch, &committee, &person);
                        }
                    }
                    g.candidate(&mut batch, &cell, &village, &mentor, &class, province_code);
                }
                let rating = g.rating();
                let assessment =
                    g.assessment("organisation", &cell.id, &cell.id, rated_year, rating);
                batch.assessments.push(assessment);
                batch.localities.push(village);
                earlier_cell = Some(cell.clone());
                batch.organisations.push(cell);
                cell_index += 1;
            }
            let rating = g.rating();
            let assessment = g.assessment(
                "organisation",
                &committee.id,
                &committee.id,
                rated_year,
                rating,
            );
            batch.assessments.push(assessment);
            batch.classes.push(class);
        }
        summary.organisations += batch.organisations.len();
        summary.localities += batch.localities.len();
        summary.members += batch.members.len();
        summary.events += batch.events.len();
        if sink.send(batch).is_err() {
            return summary;
        }
        if d % 50 == 49 {
            tracing::info!(districts = d + 1, members = summary.members, "seeding");
        }
    }
    summary
}
