//! `seed demo`: the Mường Ảng district Party committee of the source
//! document (shared/seed: a 2017 article about 2016), built from counts
//! through the same store functions as the API, with history before and
//! after 2016, so that the 2016 annual report shows the article's figures:
//! 49 grassroots organisations, 2,128 members, 152 admitted (127% of plan),
//! 171 recognised, 173 cards, 52 badge proposals, villages 1 / 26 / 5, …

use chrono::{Datelike, Duration, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::names;
use crate::admission_quotas::{self, NewQuota};
use crate::auth::Access;
use crate::candidates::model::{AdmissionRequest, NewCandidate};
use crate::db::{write_transaction, Db, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::localities::model::{Locality, NewLocality};
use crate::members::model::{
    BadgeRequest, CardRequest, NewMember, RecognitionRequest, StatusRequest, TransferRequest,
};
use crate::organisations::model::{MergeRequest, NewOrganisation, Organisation};
use crate::people::model::NewPerson;
use crate::vocabularies::{
    BadgeStatus, CandidateSource, Ethnicity, Gender, LocalityKind, MemberStatus, OrganisationKind,
};

/// What the demo loaded, for the command's log line.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub organisations: usize,
    pub villages: usize,
    pub members: usize,
    pub district_id: String,
}

const COMMUNES: [(&str, &str, LocalityKind); 10] = [
    ("TT", "Thị trấn Mường Ảng", LocalityKind::Town),
    ("AC", "Xã Ẳng Cang", LocalityKind::Commune),
    ("AN", "Xã Ẳng Nưa", LocalityKind::Commune),
    ("AT", "Xã Ẳng Tở", LocalityKind::Commune),
    ("BL", "Xã Búng Lao", LocalityKind::Commune),
    ("XL", "Xã Xuân Lao", LocalityKind::Commune),
    ("MD", "Xã Mường Đăng", LocalityKind::Commune),
    ("NC", "Xã Ngối Cáy", LocalityKind::Commune),
    ("ML", "Xã Mường Lạn", LocalityKind::Commune),
    ("NL", "Xã Nặm Lịch", LocalityKind::Commune),
];

const AGENCIES: [&str; 39] = [
    "Văn phòng Huyện ủy",
    "Cơ quan Ủy ban Kiểm tra Huyện ủy",
    "Ban Tổ chức Huyện ủy",
    "Ban Tuyên giáo Huyện ủy",
    "Ban Dân vận Huyện ủy",
    "Trung tâm Bồi dưỡng chính trị",
    "Văn phòng HĐND - UBND huyện",
    "Phòng Nội vụ",
    "Phòng Tài chính - Kế hoạch",
    "Phòng Nông nghiệp và PTNT",
    "Phòng Tài nguyên và Môi trường",
    "Phòng Giáo dục và Đào tạo",
    "Phòng Y tế",
    "Phòng Văn hóa - Thông tin",
    "Phòng Lao động - TB&XH",
    "Phòng Tư pháp",
    "Thanh tra huyện",
    "Phòng Kinh tế - Hạ tầng",
    "Phòng Dân tộc",
    "Tòa án nhân dân huyện",
    "Viện Kiểm sát nhân dân huyện",
    "Chi cục Thi hành án dân sự",
    "Chi cục Thuế",
    "Kho bạc Nhà nước",
    "Ngân hàng Nông nghiệp và PTNT",
    "Ngân hàng Chính sách xã hội",
    "Bảo hiểm xã hội huyện",
    "Trung tâm Y tế huyện",
    "Bệnh viện đa khoa huyện",
    "Trường THPT Mường Ảng",
    "Trường THPT Búng Lao",
    "Trường Phổ thông DTNT huyện",
    "Trung tâm GDNN - GDTX",
    "Hạt Kiểm lâm",
    "Đài Truyền thanh - Truyền hình",
    "Ủy ban MTTQ và các đoàn thể",
    "Trạm Khuyến nông",
    "Ban Quản lý dự án",
    "Điện lực Mường Ảng",
];

/// Villages per commune; villages 0..8 of a commune have a cell unless
/// listed as without one.
const VILLAGES_PER_COMMUNE: usize = 10;

struct Builder<'a> {
    conn: &'a mut DbConnection,
    access: Access,
    rng: StdRng,
    serial: u32,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl Builder<'_> {
    fn locality(
        &mut self,
        code: &str,
        name: &str,
        kind: LocalityKind,
        parent: Option<&Locality>,
    ) -> ApiResult<Locality> {
        crate::localities::store::create(
            self.conn,
            &self.access,
            NewLocality {
                code: code.to_owned(),
                name: name.to_owned(),
                kind,
                parent_id: parent.map(|p| p.id.clone()),
                established_on: None,
                dissolved_on: None,
            },
        )
    }

    fn organisation(
        &mut self,
        code: &str,
        name: &str,
        kind: OrganisationKind,
        parent: Option<&Organisation>,
        locality: &Locality,
        established: NaiveDate,
    ) -> ApiResult<Organisation> {
        crate::organisations::store::create(
            self.conn,
            &self.access,
            NewOrganisation {
                code: code.to_owned(),
                name: name.to_owned(),
                kind,
                parent_id: parent.map(|p| p.id.clone()),
                locality_id: Some(locality.id.clone()),
                established_on: Some(established),
                dissolved_on: None,
            },
        )
    }

    /// A person of the district, born so as to be `age` at `on`.
    fn person(&mut self, age_at: (i32, NaiveDate), residence: &str) -> NewPerson {
        self.serial += 1;
        let female = self.rng.gen_bool(0.34);
        let ethnicity = match self.rng.gen_range(0..100) {
            0..=54 => Ethnicity::Thai,
            55..=79 => Ethnicity::Kinh,
            80..=94 => Ethnicity::Hmong,
            _ => Ethnicity::KhoMu,
        };
        let family = names::FAMILY[self.rng.gen_range(0..names::FAMILY.len())];
        let (middle, given) = if female {
            (
                names::MIDDLE_FEMALE[self.rng.gen_range(0..names::MIDDLE_FEMALE.len())],
                names::GIVEN_FEMALE[self.rng.gen_range(0..names::GIVEN_FEMALE.len())],
            )
        } else {
            (
                names::MIDDLE_MALE[self.rng.gen_range(0..names::MIDDLE_MALE.len())],
                names::GIVEN_MALE[self.rng.gen_range(0..names::GIVEN_MALE.len())],
            )
        };
        let born =
            age_at.1 - Duration::days(i64::from(age_at.0) * 365 + self.rng.gen_range(0..300));
        let century = if born.year() >= 2000 { 2 } else { 0 };
        // One record in twenty still lacks its citizen id (data-quality work).
        let national_id = (self.serial % 20 != 0).then(|| {
            format!(
                "011{}{:02}{:06}",
                century + u32::from(female),
                born.year() % 100,
                self.serial
            )
        });
        NewPerson {
            full_name: format!("{family} {middle} {given}"),
            gender: if female { Gender::Female } else { Gender::Male },
            date_of_birth: born,
            ethnicity,
            religion: None,
            national_id,
            place_of_birth: Some("Mường Ảng, Điện Biên".to_owned()),
            hometown: None,
            residence_locality_id: Some(residence.to_owned()),
            address: None,
            phone: None,
            email: None,
            general_education: Some(self.rng.gen_range(9..=12)),
            professional_level: None,
            political_theory: None,
            occupation: None,
            workplace: None,
        }
    }

    /// Registers an existing member (data migration), official from a year after admission.
    fn old_member(
        &mut self,
        cell: &str,
        residence: &str,
        admitted_on: NaiveDate,
        card: bool,
    ) -> ApiResult<String> {
        let age = self.rng.gen_range(22..40);
        let person = self.person((age, admitted_on), residence);
        let official_on = admitted_on
            .checked_add_months(Months::new(12))
            .unwrap_or(admitted_on);
        let number = self.serial;
        let member = crate::members::store::register(
            self.conn,
            &self.access,
            NewMember {
                person_id: None,
                person: Some(person),
                organisation_id: cell.to_owned(),
                status: Some(MemberStatus::Official),
                member_number: Some(format!("MA-{number:05}")),
                admitted_on,
                official_on: Some(official_on),
                card_number: card.then(|| format!("62{number:06}")),
                card_issued_on: card.then(|| official_on + Duration::days(60)),
                mentor_member_id: None,
                transferred_in: None,
            },
        )?;
        Ok(member.id)
    }

    /// A candidate of the cell admitted on `admitted_on` through the admission rules.
    fn admitted_member(
        &mut self,
        cell: &str,
        residence: &str,
        introducers: &[String],
        admitted_on: NaiveDate,
    ) -> ApiResult<String> {
        let age = self.rng.gen_range(20..32);
        let person = self.person((age, admitted_on), residence);
        let source = [
            CandidateSource::Militia,
            CandidateSource::Police,
            CandidateSource::YouthUnion,
            CandidateSource::Association,
        ][self.rng.gen_range(0..4)];
        let candidate = crate::candidates::store::create(
            self.conn,
            &self.access,
            NewCandidate {
                person_id: None,
                person: Some(person),
                organisation_id: cell.to_owned(),
                source,
                identified_on: admitted_on - Duration::days(400),
                mentor_member_id: Some(introducers[0].clone()),
                introducer_member_ids: introducers.to_vec(),
                youth_union_introduction: false,
                awareness_class_completed_on: Some(admitted_on - Duration::days(150)),
                education_upgrade: None,
                stage: None,
            },
        )?;
        let number = self.serial;
        let member = crate::candidates::store::admit(
            self.conn,
            &self.access,
            &candidate.id,
            AdmissionRequest {
                admitted_on,
                decision_number: Some(format!("{}-QĐ/HU", 100 + number % 400)),
                member_number: Some(format!("MA-{number:05}")),
                age_exception_approved: false,
                education_exception: false,
            },
            None,
        )?;
        Ok(member.id)
    }

    fn recognise(
        &mut self,
        member: &str,
        admitted_on: NaiveDate,
        year_end: NaiveDate,
    ) -> ApiResult<NaiveDate> {
        let official = admitted_on
            .checked_add_months(Months::new(12))
            .unwrap_or(admitted_on);
        let decided_on = (official + Duration::days(12)).min(year_end).max(official);
        crate::members::store::recognise(
            self.conn,
            &self.access,
            member,
            RecognitionRequest {
                decided_on,
                decision_number: Some("CN-QĐ/HU".to_owned()),
            },
            None,
        )?;
        Ok(decided_on)
    }

    fn card(&mut self, member: &str, on: NaiveDate) -> ApiResult<()> {
        self.serial += 1;
        let number = format!("62{:06}", 500_000 + self.serial);
        crate::members::store::issue_card(
            self.conn,
            &self.access,
            member,
            CardRequest {
                card_number: number,
                issued_on: on,
                reason: None,
            },
            None,
        )?;
        Ok(())
    }

    fn random_day(&mut self, year: i32) -> NaiveDate {
        day(year, 1, 1) + Duration::days(self.rng.gen_range(0..364))
    }
}

/// One cell with where its members live and who introduces its candidates.
struct Cell {
    id: String,
    /// Where its members live by default.
    residence: String,
    /// A village cell's members all live in its village; others may be
    /// housed in villages without a cell.
    own_village: bool,
    members: Vec<String>,
}

/// Loads the demo district. Refuses a database that already has it.
pub fn load(db: &Db) -> Result<DemoSummary, String> {
    let mut conn = db.get().map_err(|e| e.to_string())?;
    write_transaction(&mut conn, build).map_err(|e| match e {
        ApiError::Conflict { detail, .. } => format!("the demo cannot be loaded here: {detail}"),
        other => format!("the demo could not be loaded: {other:?}"),
    })
}

fn build(conn: &mut DbConnection) -> ApiResult<DemoSummary> {
    let mut b = Builder {
        conn,
        access: Access::system("seed-demo"),
        rng: StdRng::seed_from_u64(2016),
        serial: 0,
    };
    let mut summary = DemoSummary::default();

    // The map: province, district, ten communes of ten villages.
    let province_area = b.locality("DB", "Tỉnh Điện Biên", LocalityKind::Province, None)?;
    let district_area = b.locality(
        "DB-MA",
        "Huyện Mường Ảng",
        LocalityKind::District,
        Some(&province_area),
    )?;
    let province = b.organisation(
        "DB",
        "Đảng bộ tỉnh Điện Biên",
        OrganisationKind::ProvincialCommittee,
        None,
        &province_area,
        day(1949, 1, 1),
    )?;
    let district = b.organisation(
        "DB-MA",
        "Đảng bộ huyện Mường Ảng",
        OrganisationKind::DistrictCommittee,
        Some(&province),
        &district_area,
        day(2007, 1, 1),
    )?;
    summary.district_id = district.id.clone();

    let mut village_cells: Vec<Cell> = Vec::new();
    let mut commune_cells: Vec<Cell> = Vec::new();
    let mut committees = Vec::new();
    // Villages with no cell: 26 in all, Pơ Mu (Mường Đăng) among them, where
    // no member lives; 5 of the others have fewer than 3 official members.
    let mut cell_less_stable = Vec::new();
    let mut cell_less_unstable = Vec::new();
    let mut town_area = None;
    for (c, (code, name, kind)) in COMMUNES.iter().enumerate() {
        let area = b.locality(&format!("DB-MA-{code}"), name, *kind, Some(&district_area))?;
        let committee_name = name
            .replace("Xã ", "Đảng bộ xã ")
            .replace("Thị trấn ", "Đảng bộ thị trấn ");
        let committee = b.organisation(
            &format!("MA-{code}"),
            &committee_name,
            OrganisationKind::GrassrootsCommittee,
            Some(&district),
            &area,
            day(1990, 3, 2),
        )?;
        let group_kind = if *kind == LocalityKind::Town {
            LocalityKind::ResidentialGroup
        } else {
            LocalityKind::Village
        };
        for v in 0..VILLAGES_PER_COMMUNE {
            let po_mu = *code == "MD" && v == VILLAGES_PER_COMMUNE - 1;
            let village_name = if po_mu {
                "Bản Pơ Mu".to_owned()
            } else if group_kind == LocalityKind::ResidentialGroup {
                format!("Tổ dân phố {}", v + 1)
            } else {
                let generic: Vec<&str> = names::VILLAGE
                    .iter()
                    .copied()
                    .filter(|n| *n != "Pơ Mu")
                    .collect();
                format!("Bản {}", generic[(c * 3 + v) % generic.len()])
            };
            let village = b.locality(
                &format!("DB-MA-{code}-{:02}", v + 1),
                &village_name,
                group_kind,
                Some(&area),
            )?;
            summary.villages += 1;
            // 74 villages have a cell: 8 in four communes, 7 in six (26 without).
            let with_cells = if c < 4 { 8 } else { 7 };
            if v < with_cells {
                let cell = b.organisation(
                    &format!("MA-{code}-{:02}", v + 1),
                    &format!("Chi bộ {village_name}"),
                    OrganisationKind::SubordinateCell,
                    Some(&committee),
                    &village,
                    day(1995, 5, 19),
                )?;
                village_cells.push(Cell {
                    id: cell.id,
                    residence: village.id.clone(),
                    own_village: true,
                    members: Vec::new(),
                });
            } else if po_mu {
                // No member lives here.
            } else if cell_less_unstable.len() < 5 && v == with_cells {
                cell_less_unstable.push(village.id.clone());
            } else {
                cell_less_stable.push(village.id.clone());
            }
        }
        // Schools, police and militia cells of the commune: 13 in all.
        let extra = if c < 3 { 2 } else { 1 };
        for k in 0..extra {
            let label = ["Chi bộ Trường học", "Chi bộ Công an", "Chi bộ Quân sự"][(c + k) % 3];
            let cell = b.organisation(
                &format!("MA-{code}-X{k}"),
                &format!(
                    "{label} {}",
                    name.replace("Xã ", "xã ").replace("Thị trấn ", "thị trấn ")
                ),
                OrganisationKind::SubordinateCell,
                Some(&committee),
                &area,
                day(1998, 9, 2),
            )?;
            commune_cells.push(Cell {
                id: cell.id,
                residence: String::new(),
                own_village: false,
                members: Vec::new(),
            });
        }
        if *kind == LocalityKind::Town {
            town_area = Some(area.clone());
        }
        committees.push(committee);
    }
    let town_area = town_area.ok_or_else(|| ApiError::Internal("no town".to_owned()))?;
    let mut agency_cells = Vec::new();
    for (i, agency) in AGENCIES.iter().enumerate() {
        let cell = b.organisation(
            &format!("MA-CQ-{:02}", i + 1),
            &format!("Chi bộ {agency}"),
            OrganisationKind::GrassrootsCell,
            Some(&district),
            &town_area,
            day(2007, 1, 1),
        )?;
        agency_cells.push(Cell {
            id: cell.id,
            residence: String::new(),
            own_village: false,
            members: Vec::new(),
        });
    }
    summary.organisations =
        2 + committees.len() + village_cells.len() + commune_cells.len() + agency_cells.len();

    // Residences of members of cells not based in a village: 4 official
    // members in each stable cell-less village, 2 in each unstable one, the
    // rest in the town's residential groups (which have cells).
    let town_groups: Vec<String> = village_cells
        .iter()
        .take(8)
        .map(|c| c.residence.clone())
        .collect();
    let mut housing: Vec<String> = Vec::new();
    for village in &cell_less_stable {
        housing.extend(std::iter::repeat_n(village.clone(), 4));
    }
    for village in &cell_less_unstable {
        housing.extend(std::iter::repeat_n(village.clone(), 2));
    }
    let grassroots_ids: Vec<String> = committees
        .iter()
        .map(|c| c.id.clone())
        .chain(agency_cells.iter().map(|c| c.id.clone()))
        .collect();
    let subordinate_ids: Vec<String> = village_cells
        .iter()
        .chain(commune_cells.iter())
        .map(|c| c.id.clone())
        .collect();
    let mut other_cells: Vec<Cell> = commune_cells.into_iter().chain(agency_cells).collect();
    for (i, cell) in other_cells.iter_mut().enumerate() {
        cell.residence = town_groups[i % town_groups.len()].clone();
    }

    // Existing members registered from the paper register. On 31 Dec 2016
    // the register counts 1,805 of them (1,655 admitted before 2014 and 150
    // in 2014), then 171 admitted in 2015 and 152 in 2016: 2,128 in all.
    let cells: Vec<&mut Cell> = village_cells
        .iter_mut()
        .chain(other_cells.iter_mut())
        .collect();
    let cell_count = cells.len();
    let mut cells = cells;
    let mut housing = housing.into_iter();
    let mut register = |b: &mut Builder,
                        cell: &mut Cell,
                        admitted_on: NaiveDate,
                        card: bool|
     -> ApiResult<String> {
        let residence = if cell.own_village {
            cell.residence.clone()
        } else {
            housing.next().unwrap_or_else(|| cell.residence.clone())
        };
        let id = b.old_member(&cell.id, &residence, admitted_on, card)?;
        cell.members.push(id.clone());
        Ok(id)
    };
    let mut badge_30 = Vec::new();
    let mut badge_40 = Vec::new();
    let mut leave_2017 = Vec::new();
    let mut a14 = Vec::new();
    for i in 0..1655 {
        let cell = &mut cells[i % cell_count];
        let admitted_on = match i {
            0..=29 => day(1986, 1, 1) + Duration::days(i as i64 * 11),
            30..=51 => day(1976, 1, 1) + Duration::days((i as i64 - 30) * 13),
            _ => day(1965, 1, 1) + Duration::days(b.rng.gen_range(0..(48 * 365))),
        };
        let id = register(&mut b, cell, admitted_on, true)?;
        match i {
            0..=29 => badge_30.push(id),
            30..=51 => badge_40.push(id),
            // Leavers are never a cell's first two members (the introducers).
            1000..=1010 => leave_2017.push(id),
            _ => {}
        }
    }
    for i in 0..150 {
        let cell = &mut cells[(i * 7) % cell_count];
        let admitted_on = b.random_day(2014);
        // Two of the 2014 cohort receive their card only in January 2016.
        let id = register(&mut b, cell, admitted_on, i >= 2)?;
        a14.push(id);
    }
    // Twelve members who died in 2015 (history before the report year).
    for i in 0..12 {
        let cell = &mut cells[(i * 5) % cell_count];
        let id = register(&mut b, cell, day(1960 + i as i32, 6, 1), true)?;
        crate::members::store::change_status(
            b.conn,
            &b.access,
            &id,
            StatusRequest {
                status: MemberStatus::Deceased,
                on: day(2015, 3, 1) + Duration::days(i as i64 * 20),
                reason: None,
                decision_number: None,
            },
            None,
        )?;
    }
    summary.members = 1655 + 150 + 12;

    // Admissions through candidates: 171 in 2015, 152 in 2016, 140 in 2017.
    let mut cohorts: Vec<(i32, usize)> = vec![(2015, 171), (2016, 152), (2017, 140)];
    let mut admitted: Vec<(i32, String, NaiveDate)> = Vec::new();
    for (year, count) in cohorts.drain(..) {
        for i in 0..count {
            let index = (i * 13 + year as usize) % cell_count;
            let cell = &mut cells[index];
            let introducers: Vec<String> = cell.members.iter().take(2).cloned().collect();
            let residence = cell.residence.clone();
            let admitted_on = day(year, 1, 5) + Duration::days((i as i64 * 353) / count as i64);
            let id = b.admitted_member(&cell.id, &residence, &introducers, admitted_on)?;
            admitted.push((year, id, admitted_on));
        }
    }
    summary.members += admitted.len();

    // 2015's new members are recognised in 2016 and receive their cards then;
    // two of the 2014 cohort get theirs in January 2016: 173 cards.
    for (year, id, admitted_on) in admitted.iter().filter(|a| a.0 == 2015) {
        let decided = b.recognise(id, *admitted_on, day(year + 1, 12, 31))?;
        b.card(id, decided.min(day(2016, 12, 31)))?;
    }
    for id in a14.iter().take(2) {
        b.card(id, day(2016, 1, 15))?;
    }
    // 2016's new members are recognised in 2017.
    for (_, id, admitted_on) in admitted.iter().filter(|a| a.0 == 2016) {
        let decided = b.recognise(id, *admitted_on, day(2017, 12, 31))?;
        b.card(id, decided + Duration::days(30))?;
    }

    // 52 badge proposals in 2016: 30 for 30 years, 22 for 40 years.
    for (members, milestone) in [(&badge_30, 30), (&badge_40, 40)] {
        for id in members {
            crate::members::store::badge(
                b.conn,
                &b.access,
                id,
                BadgeRequest {
                    milestone,
                    status: BadgeStatus::Proposed,
                    on: day(2016, 11, 7),
                    decision_number: Some("52-TTr/HU".to_owned()),
                    early_reason: None,
                },
                None,
            )?;
        }
    }

    // History after 2016: deaths and transfers out in 2017.
    for (i, id) in leave_2017.iter().enumerate() {
        if i < 8 {
            crate::members::store::change_status(
                b.conn,
                &b.access,
                id,
                StatusRequest {
                    status: MemberStatus::Deceased,
                    on: day(2017, 4, 1) + Duration::days(i as i64 * 9),
                    reason: None,
                    decision_number: None,
                },
                None,
            )?;
        } else {
            crate::members::store::transfer(
                b.conn,
                &b.access,
                id,
                TransferRequest {
                    to_organisation_id: None,
                    on: day(2017, 9, 1),
                    kind: None,
                    until: None,
                    out: true,
                    destination: Some("Đảng bộ tỉnh Lai Châu".to_owned()),
                    decision_number: None,
                },
                None,
            )?;
        }
    }

    // Admission quotas: 127% of the 2016 plan is 152 of 120.
    for (year, target) in [(2015, 150), (2016, 120), (2017, 130)] {
        admission_quotas::store::create(
            b.conn,
            &b.access,
            NewQuota {
                organisation_id: district.id.clone(),
                year,
                target,
            },
        )?;
    }

    personnel(
        &mut b,
        &district,
        &committees,
        &grassroots_ids,
        &subordinate_ids,
    )?;

    // July 2025: Ẳng Cang merges into Ẳng Nưa (the commune reform); the 2016
    // report still sees them apart.
    crate::organisations::store::merge(
        b.conn,
        &b.access,
        &committees[1].id,
        MergeRequest {
            into_id: committees[2].id.clone(),
            on: day(2025, 7, 1),
            decision_number: Some("1661/NQ-UBTVQH15".to_owned()),
        },
    )?;
    Ok(summary)
}

/// People of members, oldest records first, for cadres and classes.
fn member_people(
    conn: &mut DbConnection,
    admitted_before: NaiveDate,
) -> ApiResult<Vec<(String, String)>> {
    use crate::db::schema::members;
    use diesel::prelude::*;
    Ok(members::table
        .filter(members::deleted_at.is_null())
        .filter(members::admitted_on.lt(admitted_before))
        .order(members::id.asc())
        .select((members::id, members::person_id))
        .load(conn)?)
}

/// Cadres, appointments, rotations, training, ratings, awards and study of
/// 2016 (with some history around it): the article's 80 appointments, 2
/// rotations and 1 transfer, 14 classes for 1,118 participants, ratings of
/// 136 organisations (62.5 % clean and strong, 36.8 % good), awards 10 / 4 / 2
/// and study by 100 % of grassroots organisations, 98 % of members and 85 %
/// of the masses invited.
fn personnel(
    b: &mut Builder,
    district: &Organisation,
    committees: &[Organisation],
    grassroots: &[String],
    subordinate: &[String],
) -> ApiResult<()> {
    use crate::appointments::model::NewAppointment;
    use crate::assessments::model::NewAssessment;
    use crate::awards::model::NewAward;
    use crate::cadres::model::{NewCadre, NewOversight};
    use crate::positions::model::NewPosition;
    use crate::rotations::model::NewRotation;
    use crate::study_campaigns::model::{NewParticipation, NewStudyCampaign};
    use crate::training_classes::model::{NewEnrolment, NewTrainingClass};
    use crate::vocabularies::{
        AppointmentKind, AwardForm, CadreCategory, EnrolmentStatus, PositionBody, Rating,
        RotationKind, RotationPurpose, RotationStatus, SubjectType, TrainingClassKind,
    };

    let people = member_people(b.conn, day(2014, 1, 1))?;
    // 90 cadres of the district's register; 80 commune positions elected in
    // 2016 after the People's Council elections, 10 of them held since 2015.
    let mut cadres = Vec::new();
    for (i, (_, person_id)) in people.iter().take(90).enumerate() {
        let cadre = crate::cadres::store::create(
            b.conn,
            &b.access,
            NewCadre {
                person_id: Some(person_id.clone()),
                person: None,
                organisation_id: Some(district.id.clone()),
                category: Some(if i < 80 {
                    CadreCategory::Leadership
                } else {
                    CadreCategory::Propagandist
                }),
                full_time: i < 60,
                in_planning: i % 4 == 0,
                planned_positions: if i % 4 == 0 {
                    vec!["Phó Bí thư Đảng ủy".to_owned()]
                } else {
                    Vec::new()
                },
                notes: None,
            },
        )?;
        cadres.push(cadre.id);
    }
    const TITLES: [(&str, PositionBody); 8] = [
        ("Bí thư Đảng ủy", PositionBody::Party),
        ("Phó Bí thư Đảng ủy", PositionBody::Party),
        ("Chủ tịch HĐND", PositionBody::PeopleCouncil),
        ("Phó Chủ tịch HĐND", PositionBody::PeopleCouncil),
        ("Chủ tịch UBND", PositionBody::PeopleCommittee),
        ("Phó Chủ tịch UBND", PositionBody::PeopleCommittee),
        ("Chủ tịch UBMTTQ", PositionBody::FatherlandFront),
        ("Bí thư Đoàn Thanh niên", PositionBody::MassOrganisation),
    ];
    let mut n = 0;
    for (c, committee) in committees.iter().enumerate() {
        for (title, body) in TITLES {
            let position = crate::positions::store::create(
                b.conn,
                &b.access,
                NewPosition {
                    title: format!("{title} {}", committee.name.replace("Đảng bộ ", "")),
                    body,
                    organisation_id: Some(committee.id.clone()),
                    locality_id: committee.locality_id.clone(),
                },
            )?;
            if n < 10 {
                crate::appointments::store::create(
                    b.conn,
                    &b.access,
                    NewAppointment {
                        cadre_id: cadres[80 + n].clone(),
                        position_id: position.id.clone(),
                        starts_on: day(2015, 6, 1),
                        ends_on: Some(day(2016, 6, 1)),
                        kind: Some(AppointmentKind::Appointed),
                        decision_number: None,
                    },
                )?;
            }
            crate::appointments::store::create(
                b.conn,
                &b.access,
                NewAppointment {
                    cadre_id: cadres[n].clone(),
                    position_id: position.id,
                    starts_on: day(2016, 6, 1) + Duration::days(c as i64),
                    ends_on: None,
                    kind: Some(
                        if matches!(
                            body,
                            PositionBody::PeopleCouncil | PositionBody::PeopleCommittee
                        ) {
                            AppointmentKind::Elected
                        } else {
                            AppointmentKind::Appointed
                        },
                    ),
                    decision_number: Some(format!("{}-QĐ/HU", 300 + n)),
                },
            )?;
            n += 1;
        }
        crate::cadres::store::create_oversight(
            b.conn,
            &b.access,
            &cadres[80 + c % 10],
            NewOversight {
                organisation_id: committee.id.clone(),
                starts_on: day(2015, 10, 1),
                ends_on: None,
            },
        )?;
    }
    // Two rotations and one transfer to reinforce the grassroots in 2016.
    for (i, kind) in [
        RotationKind::Rotation,
        RotationKind::Rotation,
        RotationKind::Transfer,
    ]
    .into_iter()
    .enumerate()
    {
        crate::rotations::store::create(
            b.conn,
            &b.access,
            NewRotation {
                cadre_id: cadres[83 + i].clone(),
                kind,
                purpose: Some(RotationPurpose::GrassrootsReinforcement),
                from_position_id: None,
                to_position_id: None,
                to_organisation_id: Some(committees[6 + i].id.clone()),
                decision_number: Some(format!("{}-QĐ/HU", 410 + i)),
                decided_on: Some(day(2016, 3, 1)),
                starts_on: day(2016, 4, 1),
                planned_ends_on: Some(day(2019, 4, 1)),
                ended_on: None,
                status: Some(RotationStatus::Active),
            },
        )?;
    }
    crate::rotations::store::create(
        b.conn,
        &b.access,
        NewRotation {
            cadre_id: cadres[87].clone(),
            kind: RotationKind::Secondment,
            purpose: Some(RotationPurpose::PracticalTraining),
            from_position_id: None,
            to_position_id: None,
            to_organisation_id: Some(committees[9].id.clone()),
            decision_number: None,
            decided_on: Some(day(2017, 2, 1)),
            starts_on: day(2017, 3, 1),
            planned_ends_on: Some(day(2018, 3, 1)),
            ended_on: None,
            status: Some(RotationStatus::Planned),
        },
    )?;

    // 14 classes started in 2016 for 1,118 participants (13 of 80, one of
    // 78), with two withdrawals that do not count; two classes in 2015.
    let kinds = [
        TrainingClassKind::PoliticalTheoryElementary,
        TrainingClassKind::PartyAffairs,
        TrainingClassKind::NewMember,
        TrainingClassKind::ResolutionStudy,
    ];
    let mut person_cursor = 0;
    for (year, classes) in [(2015, 2), (2016, 14)] {
        for k in 0..classes {
            let size = if year == 2015 {
                50
            } else if k == 13 {
                78
            } else {
                80
            };
            let starts_on = day(year, 2, 15) + Duration::days(k as i64 * 20);
            let class = crate::training_classes::store::create(
                b.conn,
                &b.access,
                NewTrainingClass {
                    code: format!("MA-{year}-{:02}", k + 1),
                    title: format!(
                        "Lớp {} khóa {} năm {year}",
                        kinds[k % kinds.len()].as_str().replace('_', " "),
                        k + 1
                    ),
                    kind: kinds[k % kinds.len()],
                    organiser_organisation_id: district.id.clone(),
                    provider: Some("Trung tâm Bồi dưỡng chính trị huyện Mường Ảng".to_owned()),
                    venue: Some("Thị trấn Mường Ảng".to_owned()),
                    starts_on,
                    ends_on: Some(starts_on + Duration::days(10)),
                    capacity: Some(100),
                },
            )?;
            let withdrawals = if year == 2016 && k == 0 { 2 } else { 0 };
            for j in 0..size + withdrawals {
                let person_id = people[person_cursor % people.len()].1.clone();
                person_cursor += 1;
                let withdrawn = j >= size;
                crate::training_classes::store::create_enrolment(
                    b.conn,
                    &b.access,
                    &class.id,
                    NewEnrolment {
                        person_id,
                        status: Some(if withdrawn {
                            EnrolmentStatus::Withdrawn
                        } else {
                            EnrolmentStatus::Completed
                        }),
                        completed_on: (!withdrawn).then_some(starts_on + Duration::days(10)),
                        certificate_number: (!withdrawn)
                            .then(|| format!("CC-{year}-{k:02}-{j:03}")),
                    },
                )?;
            }
        }
    }

    // 2016 ratings of the 136 organisations under the district: 85 clean
    // and strong (62.5 %), 50 good (36.8 %), 1 completed; of the 49
    // grassroots ones, 30 / 18 / 1.
    let rate = |b: &mut Builder, subject_type: SubjectType, subject_id: &str, rating: Rating| {
        crate::assessments::store::create(
            b.conn,
            &b.access,
            NewAssessment {
                subject_type,
                subject_id: subject_id.to_owned(),
                year: 2016,
                rating,
                points: None,
            },
        )
    };
    for (i, id) in grassroots.iter().enumerate() {
        let rating = match i {
            0..=29 => Rating::Excellent,
            30..=47 => Rating::Good,
            _ => Rating::Satisfactory,
        };
        rate(b, SubjectType::Organisation, id, rating)?;
    }
    for (i, id) in subordinate.iter().enumerate() {
        rate(
            b,
            SubjectType::Organisation,
            id,
            if i < 55 {
                Rating::Excellent
            } else {
                Rating::Good
            },
        )?;
    }
    // Members rated for 2016: every member counted at its end who was admitted before it.
    for (i, (member_id, _)) in member_people(b.conn, day(2016, 1, 1))?.iter().enumerate() {
        let counted = crate::members::store::state_on(b.conn, member_id, day(2016, 12, 31))?
            .is_some_and(|(status, _)| status.is_counted());
        if !counted {
            continue;
        }
        let rating = match i % 40 {
            0..=5 => Rating::Excellent,
            6..=35 => Rating::Good,
            36..=38 => Rating::Satisfactory,
            _ => Rating::Unsatisfactory,
        };
        rate(b, SubjectType::Member, member_id, rating)?;
    }

    // Certificates of merit for 2016: 10 grassroots organisations, 4
    // subordinate cells and 2 exemplary members.
    let award = |b: &mut Builder, recipient_type: SubjectType, recipient_id: &str| {
        crate::awards::store::create(
            b.conn,
            &b.access,
            NewAward {
                recipient_type,
                recipient_id: recipient_id.to_owned(),
                year: 2016,
                form: AwardForm::CertificateOfMerit,
                issuer: Some("Ban Chấp hành Đảng bộ huyện Mường Ảng".to_owned()),
                decision_number: Some("789-QĐ/HU".to_owned()),
                decided_on: Some(day(2017, 1, 20)),
                reason: Some("Đạt tiêu chuẩn trong sạch vững mạnh tiêu biểu năm 2016".to_owned()),
            },
        )
    };
    for id in grassroots.iter().take(10) {
        award(b, SubjectType::Organisation, id)?;
    }
    for id in subordinate.iter().take(4) {
        award(b, SubjectType::Organisation, id)?;
    }
    for (member_id, _) in people.iter().skip(200).take(2) {
        award(b, SubjectType::Member, member_id)?;
    }

    // The study of the 12th Congress resolution: every grassroots
    // organisation held it; 2,085 of the 2,128 members and 8,500 of the
    // 10,000 people invited attended.
    let campaign = crate::study_campaigns::store::create(
        b.conn,
        &b.access,
        NewStudyCampaign {
            title: "Học tập, quán triệt Nghị quyết Đại hội XII của Đảng".to_owned(),
            year: 2016,
            documents: vec![
                "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XII".to_owned(),
                "Chỉ thị 05-CT/TW".to_owned(),
            ],
            organisation_id: Some(district.id.clone()),
        },
    )?;
    let mut members_left = 2085;
    let mut memberships = Vec::new();
    for id in grassroots {
        let root = crate::organisations::store::find(b.conn, &b.access, id)?;
        memberships.push(
            crate::reports::annual::compute(b.conn, None, &root, 2016)?
                .members
                .total,
        );
    }
    let absent_total: i64 = memberships.iter().sum::<i64>() - 2085;
    for (i, id) in grassroots.iter().enumerate() {
        let absent = i64::from(i < absent_total as usize);
        let attended = if i + 1 == grassroots.len() {
            members_left
        } else {
            (memberships[i] - absent).max(0)
        };
        members_left -= attended;
        let invited = 10_000 / 49 + i64::from(i < 10_000 % 49);
        let masses = 8_500 / 49 + i64::from(i < 8_500 % 49);
        crate::study_campaigns::store::create_participation(
            b.conn,
            &b.access,
            &campaign.id,
            NewParticipation {
                organisation_id: id.clone(),
                held: true,
                members_attended: attended as i32,
                masses_invited: invited as i32,
                masses_attended: masses as i32,
            },
        )?;
    }
    Ok(())
}
