//! Every enumeration of the product with its Vietnamese and English labels
//! (SPEC section 2), served at `GET /api/v1/vocabularies` so front ends never
//! hard-code them. Each enum is stored in the database by its code.

use std::collections::BTreeMap;

use actix_web::get;

use serde::Serialize;
use utoipa::ToSchema;

/// One code of a vocabulary with its labels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Term {
    #[schema(example = "grassroots_cell")]
    pub code: &'static str,
    #[schema(example = "Chi bộ cơ sở")]
    pub vi: &'static str,
    #[schema(example = "Grassroots cell")]
    pub en: &'static str,
}

/// Declares an enum whose JSON form and database form is its code, with labels.
///
/// `$code` is a `tt`, not a `literal`: a `literal` fragment reaches derive
/// macros wrapped in an invisible group, which serde reads but utoipa skips,
/// so the OpenAPI document listed the variant names (`Admin`) instead of the
/// codes sent (`admin`).
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident = $key:literal {
        $($variant:ident => ($code:tt, $vi:literal, $en:literal)),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        impl $name {
            /// Every value, in the order of the vocabulary.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The vocabulary's name in `/vocabularies`.
            pub const VOCABULARY: &'static str = $key;

            /// The code, as stored and sent.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The value for a stored code.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The value for a code read back from the database.
            pub fn from_db(code: &str) -> Self {
                Self::parse(code).unwrap_or_else(|| {
                    tracing::error!(code, vocabulary = $key, "unknown code in database");
                    Self::ALL[0]
                })
            }

            /// The labelled terms of this vocabulary.
            pub fn terms() -> Vec<Term> {
                vec![$(Term { code: $code, vi: $vi, en: $en }),+]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Kind of a Party organisation (SPEC section 2).
    OrganisationKind = "organisation_kinds" {
        ProvincialCommittee => ("provincial_committee", "Đảng bộ tỉnh", "Provincial Party committee"),
        DistrictCommittee => ("district_committee", "Đảng bộ huyện", "District Party committee"),
        GrassrootsCommittee => ("grassroots_committee", "Đảng bộ cơ sở", "Grassroots Party committee"),
        GrassrootsCell => ("grassroots_cell", "Chi bộ cơ sở", "Grassroots Party cell"),
        SubCommittee => ("sub_committee", "Đảng bộ bộ phận", "Party sub-committee"),
        SubordinateCell => ("subordinate_cell", "Chi bộ trực thuộc", "Subordinate Party cell"),
    }
}

vocabulary! {
    /// Kind of an administrative locality.
    LocalityKind = "locality_kinds" {
        Province => ("province", "Tỉnh", "Province"),
        District => ("district", "Huyện", "District"),
        Commune => ("commune", "Xã", "Commune"),
        Ward => ("ward", "Phường", "Ward"),
        Town => ("town", "Thị trấn", "Township"),
        Village => ("village", "Bản, thôn, xóm", "Village"),
        ResidentialGroup => ("residential_group", "Tổ dân phố", "Residential group"),
    }
}

vocabulary! {
    /// Status of a Party member.
    MemberStatus = "member_statuses" {
        Probationary => ("probationary", "Đảng viên dự bị", "Probationary member"),
        Official => ("official", "Đảng viên chính thức", "Official member"),
        Exempt => ("exempt", "Miễn công tác và sinh hoạt đảng", "Exempt from Party activities"),
        TransferredOut => ("transferred_out", "Chuyển sinh hoạt đảng ra khỏi đảng bộ", "Transferred out"),
        Removed => ("removed", "Xóa tên", "Name removed"),
        Expelled => ("expelled", "Khai trừ", "Expelled"),
        Resigned => ("resigned", "Xin ra khỏi Đảng", "Resigned"),
        Deceased => ("deceased", "Từ trần", "Deceased"),
    }
}

vocabulary! {
    /// Where an outstanding non-member was identified.
    CandidateSource = "candidate_sources" {
        Militia => ("militia", "Dân quân", "Militia"),
        Police => ("police", "Công an viên", "Commune police"),
        YouthUnion => ("youth_union", "Đoàn viên", "Youth Union member"),
        Association => ("association", "Hội viên", "Association member"),
        Other => ("other", "Khác", "Other"),
    }
}

vocabulary! {
    /// Annual rating; labels are the wording from 2018 (see `organisation_ratings_until_2017`).
    Rating = "ratings" {
        Excellent => ("excellent", "Hoàn thành xuất sắc nhiệm vụ", "Excellently completed duties"),
        Good => ("good", "Hoàn thành tốt nhiệm vụ", "Well completed duties"),
        Satisfactory => ("satisfactory", "Hoàn thành nhiệm vụ", "Completed duties"),
        Unsatisfactory => ("unsatisfactory", "Không hoàn thành nhiệm vụ", "Did not complete duties"),
    }
}

/// Organisation rating wording for years up to 2017 (HD 27/2014).
const ORGANISATION_RATINGS_UNTIL_2017: [Term; 4] = [
    Term {
        code: "excellent",
        vi: "Trong sạch vững mạnh",
        en: "Clean and strong",
    },
    Term {
        code: "good",
        vi: "Hoàn thành tốt nhiệm vụ",
        en: "Well completed duties",
    },
    Term {
        code: "satisfactory",
        vi: "Hoàn thành nhiệm vụ",
        en: "Completed duties",
    },
    Term {
        code: "unsatisfactory",
        vi: "Yếu kém",
        en: "Weak",
    },
];

vocabulary! {
    /// Political theory level.
    PoliticalTheory = "political_theory" {
        None => ("none", "Chưa qua đào tạo", "None"),
        Elementary => ("elementary", "Sơ cấp", "Elementary"),
        Intermediate => ("intermediate", "Trung cấp", "Intermediate"),
        Advanced => ("advanced", "Cao cấp", "Advanced"),
        Bachelor => ("bachelor", "Cử nhân", "Bachelor in politics"),
    }
}

vocabulary! {
    /// Professional qualification.
    ProfessionalLevel = "professional_levels" {
        None => ("none", "Chưa qua đào tạo", "None"),
        Vocational => ("vocational", "Trung cấp", "Vocational"),
        College => ("college", "Cao đẳng", "College"),
        Bachelor => ("bachelor", "Đại học", "Bachelor"),
        Master => ("master", "Thạc sĩ", "Master"),
        Doctorate => ("doctorate", "Tiến sĩ", "Doctorate"),
    }
}

vocabulary! {
    /// Gender as recorded in the member's file.
    Gender = "genders" {
        Male => ("male", "Nam", "Male"),
        Female => ("female", "Nữ", "Female"),
    }
}

vocabulary! {
    /// The 54 ethnic groups of Vietnam; every one but `kinh` is an ethnic minority.
    Ethnicity = "ethnicities" {
        Kinh => ("kinh", "Kinh", "Kinh"),
        Tay => ("tay", "Tày", "Tay"),
        Thai => ("thai", "Thái", "Thai"),
        Muong => ("muong", "Mường", "Muong"),
        Khmer => ("khmer", "Khmer", "Khmer"),
        Hoa => ("hoa", "Hoa", "Hoa"),
        Nung => ("nung", "Nùng", "Nung"),
        Hmong => ("hmong", "Mông", "Hmong"),
        Dao => ("dao", "Dao", "Dao"),
        GiaRai => ("gia_rai", "Gia Rai", "Gia Rai"),
        EDe => ("e_de", "Ê Đê", "E De"),
        BaNa => ("ba_na", "Ba Na", "Ba Na"),
        SanChay => ("san_chay", "Sán Chay", "San Chay"),
        Cham => ("cham", "Chăm", "Cham"),
        CoHo => ("co_ho", "Cơ Ho", "Co Ho"),
        XoDang => ("xo_dang", "Xơ Đăng", "Xo Dang"),
        SanDiu => ("san_diu", "Sán Dìu", "San Diu"),
        Hre => ("hre", "Hrê", "Hre"),
        RaGlai => ("ra_glai", "Ra Glai", "Ra Glai"),
        Mnong => ("mnong", "Mnông", "Mnong"),
        Tho => ("tho", "Thổ", "Tho"),
        Xtieng => ("xtieng", "Xtiêng", "Xtieng"),
        KhoMu => ("kho_mu", "Khơ Mú", "Kho Mu"),
        BruVanKieu => ("bru_van_kieu", "Bru - Vân Kiều", "Bru - Van Kieu"),
        CoTu => ("co_tu", "Cơ Tu", "Co Tu"),
        Giay => ("giay", "Giáy", "Giay"),
        TaOi => ("ta_oi", "Tà Ôi", "Ta Oi"),
        Ma => ("ma", "Mạ", "Ma"),
        GieTrieng => ("gie_trieng", "Giẻ Triêng", "Gie Trieng"),
        Co => ("co", "Co", "Co"),
        ChoRo => ("cho_ro", "Chơ Ro", "Cho Ro"),
        XinhMun => ("xinh_mun", "Xinh Mun", "Xinh Mun"),
        HaNhi => ("ha_nhi", "Hà Nhì", "Ha Nhi"),
        ChuRu => ("chu_ru", "Chu Ru", "Chu Ru"),
        Lao => ("lao", "Lào", "Lao"),
        Khang => ("khang", "Kháng", "Khang"),
        LaChi => ("la_chi", "La Chí", "La Chi"),
        PhuLa => ("phu_la", "Phù Lá", "Phu La"),
        LaHu => ("la_hu", "La Hủ", "La Hu"),
        LaHa => ("la_ha", "La Ha", "La Ha"),
        PaThen => ("pa_then", "Pà Thẻn", "Pa Then"),
        Chut => ("chut", "Chứt", "Chut"),
        Lu => ("lu", "Lự", "Lu"),
        LoLo => ("lo_lo", "Lô Lô", "Lo Lo"),
        Mang => ("mang", "Mảng", "Mang"),
        CoLao => ("co_lao", "Cờ Lao", "Co Lao"),
        BoY => ("bo_y", "Bố Y", "Bo Y"),
        Cong => ("cong", "Cống", "Cong"),
        Ngai => ("ngai", "Ngái", "Ngai"),
        SiLa => ("si_la", "Si La", "Si La"),
        PuPeo => ("pu_peo", "Pu Péo", "Pu Peo"),
        RoMam => ("ro_mam", "Rơ Măm", "Ro Mam"),
        Brau => ("brau", "Brâu", "Brau"),
        ODu => ("o_du", "Ơ Đu", "O Du"),
    }
}

impl MemberStatus {
    /// Whether a member with this status counts in the membership (SPEC section 2).
    pub fn is_counted(self) -> bool {
        matches!(
            self,
            MemberStatus::Probationary | MemberStatus::Official | MemberStatus::Exempt
        )
    }
}

impl Ethnicity {
    /// Everything but Kinh counts as ethnic minority (dân tộc thiểu số).
    pub fn is_minority(self) -> bool {
        self != Ethnicity::Kinh
    }
}

vocabulary! {
    /// Role of an account (SPEC section 4).
    Role = "roles" {
        Admin => ("admin", "Quản trị", "Administrator"),
        Organiser => ("organiser", "Cán bộ tổ chức", "Organiser"),
        Viewer => ("viewer", "Người xem", "Viewer"),
        Auditor => ("auditor", "Kiểm tra", "Auditor"),
        Sync => ("sync", "Đồng bộ", "Sync system"),
    }
}

vocabulary! {
    /// Stage of a candidate in the development pipeline.
    CandidateStage = "candidate_stages" {
        Identified => ("identified", "Đưa vào diện quần chúng ưu tú", "Identified"),
        Preparing => ("preparing", "Đang bồi dưỡng", "Being prepared"),
        Ready => ("ready", "Đủ điều kiện xem xét kết nạp", "Ready for admission"),
        Admitted => ("admitted", "Đã kết nạp", "Admitted"),
        Dropped => ("dropped", "Dừng xem xét", "Dropped"),
    }
}

vocabulary! {
    /// Kind of a dated member event.
    MemberEventKind = "member_event_kinds" {
        Registered => ("registered", "Đăng ký vào sổ đảng viên", "Registered in the register"),
        Admitted => ("admitted", "Kết nạp", "Admitted"),
        Recognised => ("recognised", "Công nhận đảng viên chính thức", "Recognised as official"),
        CardIssued => ("card_issued", "Phát thẻ đảng viên", "Party card issued"),
        CardReissued => ("card_reissued", "Cấp lại thẻ đảng viên", "Party card re-issued"),
        BadgeProposed => ("badge_proposed", "Đề nghị tặng Huy hiệu Đảng", "Party badge proposed"),
        BadgeAwarded => ("badge_awarded", "Tặng Huy hiệu Đảng", "Party badge awarded"),
        Transferred => ("transferred", "Chuyển sinh hoạt đảng chính thức", "Transferred to another cell"),
        TemporaryTransfer => ("temporary_transfer", "Chuyển sinh hoạt đảng tạm thời", "Temporarily attached elsewhere"),
        TemporaryReturn => ("temporary_return", "Trở lại sau sinh hoạt tạm thời", "Returned from temporary attachment"),
        TransferredOut => ("transferred_out", "Chuyển sinh hoạt ra khỏi đảng bộ", "Transferred out of the register"),
        TransferredIn => ("transferred_in", "Chuyển sinh hoạt đến", "Transferred in"),
        StatusChanged => ("status_changed", "Thay đổi tình trạng", "Status changed"),
    }
}

vocabulary! {
    /// How a member moves between cells.
    TransferKind = "transfer_kinds" {
        Official => ("official", "Chuyển sinh hoạt đảng chính thức", "Official transfer"),
        Temporary => ("temporary", "Chuyển sinh hoạt đảng tạm thời", "Temporary transfer"),
        Return => ("return", "Trở lại chi bộ gốc", "Return from a temporary transfer"),
    }
}

vocabulary! {
    /// Stage of a Party badge.
    BadgeStatus = "badge_statuses" {
        Proposed => ("proposed", "Đề nghị", "Proposed"),
        Awarded => ("awarded", "Đã trao tặng", "Awarded"),
    }
}

vocabulary! {
    /// Kind of cadre in the cadre register.
    CadreCategory = "cadre_categories" {
        Leadership => ("leadership", "Cán bộ lãnh đạo", "Leadership"),
        Management => ("management", "Cán bộ quản lý", "Management"),
        Specialist => ("specialist", "Chuyên viên", "Specialist"),
        Propagandist => ("propagandist", "Báo cáo viên, tuyên truyền viên", "Propagandist"),
        Lecturer => ("lecturer", "Giảng viên", "Lecturer"),
    }
}

vocabulary! {
    /// The body a leadership or management position belongs to.
    PositionBody = "position_bodies" {
        Party => ("party", "Cấp ủy đảng", "Party committee"),
        PeopleCouncil => ("people_council", "Hội đồng nhân dân", "People's Council"),
        PeopleCommittee => ("people_committee", "Ủy ban nhân dân", "People's Committee"),
        FatherlandFront => ("fatherland_front", "Mặt trận Tổ quốc", "Fatherland Front"),
        MassOrganisation => ("mass_organisation", "Đoàn thể chính trị - xã hội", "Mass organisation"),
        Other => ("other", "Khác", "Other"),
    }
}

vocabulary! {
    /// How a cadre came to hold a position.
    AppointmentKind = "appointment_kinds" {
        Elected => ("elected", "Bầu", "Elected"),
        Appointed => ("appointed", "Bổ nhiệm", "Appointed"),
        Acting => ("acting", "Quyền", "Acting"),
        Concurrent => ("concurrent", "Kiêm nhiệm", "Concurrent"),
    }
}

vocabulary! {
    /// Kind of cadre movement (QĐ 65-QĐ/TW 2022).
    RotationKind = "rotation_kinds" {
        Rotation => ("rotation", "Luân chuyển", "Rotation"),
        Transfer => ("transfer", "Điều động", "Transfer"),
        Secondment => ("secondment", "Biệt phái", "Secondment"),
    }
}

vocabulary! {
    /// Why a cadre is moved.
    RotationPurpose = "rotation_purposes" {
        GrassrootsReinforcement => ("grassroots_reinforcement", "Tăng cường cho cơ sở", "Grassroots reinforcement"),
        PracticalTraining => ("practical_training", "Rèn luyện thực tiễn", "Practical training"),
        Other => ("other", "Khác", "Other"),
    }
}

vocabulary! {
    /// Where a rotation stands.
    RotationStatus = "rotation_statuses" {
        Planned => ("planned", "Dự kiến", "Planned"),
        Active => ("active", "Đang thực hiện", "Active"),
        Completed => ("completed", "Đã kết thúc", "Completed"),
        Cancelled => ("cancelled", "Hủy bỏ", "Cancelled"),
    }
}

vocabulary! {
    /// Kind of training class.
    TrainingClassKind = "training_class_kinds" {
        PartyAwareness => ("party_awareness", "Bồi dưỡng nhận thức về Đảng", "Party awareness"),
        NewMember => ("new_member", "Bồi dưỡng đảng viên mới", "New members"),
        PoliticalTheoryElementary => ("political_theory_elementary", "Sơ cấp lý luận chính trị", "Elementary political theory"),
        PoliticalTheoryIntermediate => ("political_theory_intermediate", "Trung cấp lý luận chính trị", "Intermediate political theory"),
        PartyAffairs => ("party_affairs", "Nghiệp vụ công tác Đảng", "Party affairs"),
        Professional => ("professional", "Chuyên môn, nghiệp vụ", "Professional"),
        ResolutionStudy => ("resolution_study", "Học tập, quán triệt nghị quyết", "Resolution study"),
        Other => ("other", "Khác", "Other"),
    }
}

vocabulary! {
    /// Where an enrolment stands.
    EnrolmentStatus = "enrolment_statuses" {
        Enrolled => ("enrolled", "Đang học", "Enrolled"),
        Completed => ("completed", "Hoàn thành", "Completed"),
        Failed => ("failed", "Không đạt", "Failed"),
        Withdrawn => ("withdrawn", "Rút", "Withdrawn"),
    }
}

vocabulary! {
    /// What is rated or awarded.
    SubjectType = "subject_types" {
        Organisation => ("organisation", "Tổ chức đảng", "Party organisation"),
        Member => ("member", "Đảng viên", "Party member"),
    }
}

vocabulary! {
    /// Form of an award.
    AwardForm = "award_forms" {
        CertificateOfMerit => ("certificate_of_merit", "Giấy khen", "Certificate of merit"),
        Merit => ("merit", "Bằng khen", "Merit"),
        Other => ("other", "Khác", "Other"),
    }
}

impl Rating {
    /// The Vietnamese wording in force in `year` for this kind of subject
    /// (HD 27/2014 up to 2017; QĐ 132-QĐ/TW from 2018).
    pub fn label(self, subject: SubjectType, year: i32) -> &'static str {
        if subject == SubjectType::Organisation && year <= 2017 {
            let index = Rating::ALL.iter().position(|r| *r == self).unwrap_or(0);
            return ORGANISATION_RATINGS_UNTIL_2017[index].vi;
        }
        match self {
            Rating::Excellent => "Hoàn thành xuất sắc nhiệm vụ",
            Rating::Good => "Hoàn thành tốt nhiệm vụ",
            Rating::Satisfactory => "Hoàn thành nhiệm vụ",
            Rating::Unsatisfactory => "Không hoàn thành nhiệm vụ",
        }
    }
}

/// Every vocabulary, keyed by name.
pub fn all() -> BTreeMap<&'static str, Vec<Term>> {
    let mut vocabularies = BTreeMap::new();
    vocabularies.insert(OrganisationKind::VOCABULARY, OrganisationKind::terms());
    vocabularies.insert(LocalityKind::VOCABULARY, LocalityKind::terms());
    vocabularies.insert(MemberStatus::VOCABULARY, MemberStatus::terms());
    vocabularies.insert(CandidateSource::VOCABULARY, CandidateSource::terms());
    vocabularies.insert(Rating::VOCABULARY, Rating::terms());
    vocabularies.insert(
        "organisation_ratings_until_2017",
        ORGANISATION_RATINGS_UNTIL_2017.to_vec(),
    );
    vocabularies.insert(PoliticalTheory::VOCABULARY, PoliticalTheory::terms());
    vocabularies.insert(ProfessionalLevel::VOCABULARY, ProfessionalLevel::terms());
    vocabularies.insert(Gender::VOCABULARY, Gender::terms());
    vocabularies.insert(Ethnicity::VOCABULARY, Ethnicity::terms());
    vocabularies.insert(Role::VOCABULARY, Role::terms());
    vocabularies.insert(CandidateStage::VOCABULARY, CandidateStage::terms());
    vocabularies.insert(MemberEventKind::VOCABULARY, MemberEventKind::terms());
    vocabularies.insert(TransferKind::VOCABULARY, TransferKind::terms());
    vocabularies.insert(BadgeStatus::VOCABULARY, BadgeStatus::terms());
    vocabularies.insert(CadreCategory::VOCABULARY, CadreCategory::terms());
    vocabularies.insert(PositionBody::VOCABULARY, PositionBody::terms());
    vocabularies.insert(AppointmentKind::VOCABULARY, AppointmentKind::terms());
    vocabularies.insert(RotationKind::VOCABULARY, RotationKind::terms());
    vocabularies.insert(RotationPurpose::VOCABULARY, RotationPurpose::terms());
    vocabularies.insert(RotationStatus::VOCABULARY, RotationStatus::terms());
    vocabularies.insert(TrainingClassKind::VOCABULARY, TrainingClassKind::terms());
    vocabularies.insert(EnrolmentStatus::VOCABULARY, EnrolmentStatus::terms());
    vocabularies.insert(SubjectType::VOCABULARY, SubjectType::terms());
    vocabularies.insert(AwardForm::VOCABULARY, AwardForm::terms());
    vocabularies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_has_fifty_four_ethnic_groups() {
        assert_eq!(Ethnicity::ALL.len(), 54);
    }

    #[test]
    fn only_kinh_is_not_a_minority() {
        let minorities = Ethnicity::ALL.iter().filter(|e| e.is_minority()).count();
        assert_eq!(minorities, 53);
    }

    #[test]
    fn organisation_ratings_use_the_wording_of_their_year() {
        assert_eq!(
            Rating::Excellent.label(SubjectType::Organisation, 2016),
            "Trong sạch vững mạnh"
        );
        assert_eq!(
            Rating::Excellent.label(SubjectType::Organisation, 2018),
            "Hoàn thành xuất sắc nhiệm vụ"
        );
        assert_eq!(
            Rating::Unsatisfactory.label(SubjectType::Organisation, 2017),
            "Yếu kém"
        );
        assert_eq!(
            Rating::Excellent.label(SubjectType::Member, 2016),
            "Hoàn thành xuất sắc nhiệm vụ"
        );
    }

    #[test]
    fn codes_round_trip() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(kind.as_str()), Some(*kind));
        }
    }
}

/// Every vocabulary with Vietnamese and English labels.
#[utoipa::path(
    tag = "vocabularies",
    operation_id = "listVocabularies",
    responses(
        (status = 200, description = "Vocabularies by name", body = BTreeMap<String, Vec<Term>>,
         example = json!({"organisation_kinds": [{"code": "grassroots_cell", "vi": "Chi bộ cơ sở", "en": "Grassroots Party cell"}]})),
        (status = 401, description = "No or bad token", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("")]
pub async fn list_vocabularies(_caller: crate::auth::Caller) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .insert_header(("Cache-Control", "max-age=3600"))
        .json(all())
}
