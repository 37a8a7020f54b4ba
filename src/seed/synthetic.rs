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

use super::names;
use crate::api::search::fold;
use crate::db::schema::{changes, localities, member_events, members, organisations, people};
use crate::db::{child_path, Db, DbConnection};
use crate::localities::model::LocalityRow;
use crate::members::model::{MemberEventRow, MemberRow};
use crate::organisations::model::OrganisationRow;
use crate::people::model::PersonRow;
use crate::vocabularies::{Ethnicity, MemberStatus};

/// Members per cell on average, and cells per grassroots committee.
const CELL_SIZE: usize = 30;
const CELLS_PER_COMMITTEE: usize = 6;
/// Members per district (a few thousand, as in the source document).
const DISTRICT_SIZE: usize = 3000;

#[derive(Insertable)]
#[diesel(table_name = changes)]
struct ChangeRow {
    record_type: &'static str,
    record_id: String,
    op: &'static str,
    version: i64,
    at: NaiveDateTime,
    organisation_path: Option<String>,
    data: Option<String>,
}

/// What a run wrote.
#[derive(Debug, Default)]
pub struct Summary {
    pub organisations: usize,
    pub localities: usize,
    pub members: usize,
    pub events: usize,
}

macro_rules! bulk_insert {
    ($conn:expr, $table:path, $rows:expr) => {
        match $conn {
            DbConnection::Sqlite(c) => {
                for chunk in $rows.chunks(400) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
            DbConnection::Postgresql(c) => {
                for chunk in $rows.chunks(1000) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
    };
}

/// Everything one district transaction writes.
#[derive(Default)]
struct Batch {
    organisations: Vec<OrganisationRow>,
    localities: Vec<LocalityRow>,
    people: Vec<PersonRow>,
    members: Vec<MemberRow>,
    events: Vec<MemberEventRow>,
    changes: Vec<ChangeRow>,
}

impl Batch {
    fn write(&self, conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
        conn.transaction(|conn| {
            bulk_insert!(conn, localities::table, self.localities);
            bulk_insert!(conn, organisations::table, self.organisations);
            bulk_insert!(conn, people::table, self.people);
            bulk_insert!(conn, members::table, self.members);
            bulk_insert!(conn, member_events::table, self.events);
            bulk_insert!(conn, changes::table, self.changes);
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

    /// A member of `cell`, with the events of its history.
    fn member(
        &mut self,
        batch: &mut Batch,
        cell: &OrganisationRow,
        village: &LocalityRow,
        province_code: u32,
    ) {
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
        let mut member = MemberRow {
            id: self.id(),
            person_id: person.id.clone(),
            organisation_id: cell.id.clone(),
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
        if !matches!(status, MemberStatus::Probationary | MemberStatus::Official) {
            let last = history.last().map_or(official_on, |e| e.occurred_on);
            let on = self.day_between(last, today);
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
        batch.events.extend(history);
        batch.changes.push(ChangeRow {
            record_type: "member",
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
        batch.people.push(person);
        batch.members.push(member);
    }
}

/// Generates a province with about `members` members into `db`.
pub fn generate(db: &Db, members: usize, seed: u64) -> Result<Summary, String> {
    let mut conn = db.get().map_err(|e| format!("{e:?}"))?;
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
    first.write(&mut conn).map_err(|e| e.to_string())?;

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
                for _ in 0..in_cell {
                    g.member(&mut batch, &cell, &village, province_code);
                }
                placed += in_cell;
                batch.localities.push(village);
                batch.organisations.push(cell);
                cell_index += 1;
            }
        }
        summary.organisations += batch.organisations.len();
        summary.localities += batch.localities.len();
        summary.members += batch.members.len();
        summary.events += batch.events.len();
        batch.write(&mut conn).map_err(|e| e.to_string())?;
        if d % 50 == 49 {
            tracing::info!(districts = d + 1, members = summary.members, "seeding");
        }
    }
    // Fresh statistics: without them the planners guess a few hundred rows
    // per table and pick nested loops for the reports (6 s instead of 2 s
    // for a 300 k province on PostgreSQL before autovacuum caught up).
    diesel::sql_query("ANALYZE")
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    Ok(summary)
}
