//! The language of problem texts: a message catalogue in English and
//! Vietnamese, and the language a request asked for with `Accept-Language`.
//!
//! Codes (`code`, `errors[].code`) never change with the language; only
//! `title`, `detail` and `errors[].message` do. Each message is a variant of
//! [`Msg`] with both texts next to each other, so a message cannot exist in
//! one language only (the catalogue macro needs both to compile). A message
//! takes named parameters (`{field}`, `{min}`, …) filled in when rendered.
//! The language is chosen once per request by the request-id middleware and
//! kept in a task-local while the request is served, so texts are rendered in
//! it wherever the response body is written.

use std::fmt;

/// A language problem texts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Vi,
}

impl Lang {
    /// The language tag, as sent in `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Vi => "vi",
        }
    }

    /// The preferred supported language of an `Accept-Language` value
    /// (`vi`, `vi-VN`, `en;q=0.5, vi`, …), English when none is acceptable.
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let Some(header) = accept_language else {
            return Self::En;
        };
        let mut best: Option<(Self, f32)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "vi" => Self::Vi,
                "en" => Self::En,
                _ => continue,
            };
            // Equal weights keep the first listed, as RFC 9110 reads them.
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((lang, quality));
            }
        }
        best.map_or(Self::En, |(lang, _)| lang)
    }
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// The language of the request being served (English outside a request).
pub fn current() -> Lang {
    CURRENT.try_with(|lang| *lang).unwrap_or(Lang::En)
}

/// Runs `future` with `lang` as the current language.
pub async fn scope<F: std::future::Future>(lang: Lang, future: F) -> F::Output {
    CURRENT.scope(lang, future).await
}

/// A message with its parameters, rendered in a language when sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    One {
        msg: Msg,
        args: Vec<(&'static str, String)>,
    },
    /// Several messages, joined with `; ` (a 400 listing every bad field).
    Joined(Vec<Text>),
}

impl Text {
    /// Adds the value of the parameter `{name}`.
    pub fn with(self, name: &'static str, value: impl fmt::Display) -> Self {
        match self {
            Self::One { msg, mut args } => {
                args.push((name, value.to_string()));
                Self::One { msg, args }
            }
            joined => joined,
        }
    }

    pub fn render(&self, lang: Lang) -> String {
        match self {
            Self::One { msg, args } => fill(msg.template(lang), args),
            Self::Joined(texts) => texts
                .iter()
                .map(|t| t.render(lang))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

impl From<Msg> for Text {
    fn from(msg: Msg) -> Self {
        Self::One {
            msg,
            args: Vec::new(),
        }
    }
}

impl Msg {
    /// This message with the parameter `{name}` set.
    pub fn with(self, name: &'static str, value: impl fmt::Display) -> Text {
        Text::from(self).with(name, value)
    }
}

/// English, for logs and `Display`.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Serialised in the language of the request being served.
impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.render(current()))
    }
}

fn fill(template: &str, args: &[(&'static str, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

macro_rules! catalogue {
    ($($name:ident => $en:literal, $vi:literal;)*) => {
        /// Every problem text the API sends, in English and Vietnamese.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $($name,)* }

        impl Msg {
            /// Every message, for the catalogue test.
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];

            /// The template in `lang`, with `{name}` placeholders.
            pub fn template(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$name, Lang::En) => $en, (Msg::$name, Lang::Vi) => $vi,)*
                }
            }
        }
    };
}

// Vietnamese terms follow the glossary of SPEC section 2 (tổ chức đảng,
// chi bộ, đảng viên chính thức / dự bị, quần chúng, kết nạp, …).
catalogue! {
    // Titles, one per kind of problem.
    TitleBadRequest => "Malformed request", "Yêu cầu không hợp lệ";
    TitleUnauthenticated => "Authentication required", "Cần xác thực";
    TitleForbidden => "Forbidden", "Không có quyền";
    TitleNotFound => "Not found", "Không tìm thấy";
    TitleReferenceNotFound => "Referenced record not found", "Không tìm thấy bản ghi được tham chiếu";
    TitleConflict => "Conflict", "Xung đột";
    TitleGone => "Gone", "Không còn dữ liệu";
    TitlePreconditionFailed => "Precondition failed", "Điều kiện If-Match không thỏa mãn";
    TitlePayloadTooLarge => "Payload too large", "Nội dung yêu cầu quá lớn";
    TitleUnsupportedMediaType => "Unsupported media type", "Kiểu nội dung không được hỗ trợ";
    TitleRuleBroken => "Rule broken", "Vi phạm quy định";
    TitleTooManyRequests => "Too many requests", "Quá nhiều yêu cầu";
    TitleServiceUnavailable => "Service unavailable", "Dịch vụ tạm thời không khả dụng";
    TitleInternal => "Internal error", "Lỗi hệ thống";

    // Details of the problems that carry no detail of their own.
    NotFound => "No such record, or it is outside your scope.",
        "Không có bản ghi này, hoặc bản ghi nằm ngoài phạm vi của bạn.";
    Forbidden => "Your role may not do this.",
        "Vai trò của bạn không được phép thực hiện thao tác này.";
    ReferenceNotFound => "{field} names no record you can see",
        "{field} không trỏ tới bản ghi nào mà bạn được xem";
    CursorExpired => "The change feed no longer holds changes this old; resync from an export.",
        "Luồng thay đổi không còn giữ các thay đổi cũ như vậy; hãy đồng bộ lại từ một bản xuất dữ liệu.";
    PreconditionFailed => "The record has changed since the version named in If-Match.",
        "Bản ghi đã thay đổi kể từ phiên bản nêu trong If-Match.";
    PayloadTooLarge => "The request body is larger than the server accepts.",
        "Nội dung yêu cầu lớn hơn mức máy chủ chấp nhận.";
    UnsupportedMediaType => "Send JSON with Content-Type application/json.",
        "Hãy gửi JSON với Content-Type application/json.";
    TooManyRequests => "Too many requests; try again in {seconds} seconds.",
        "Quá nhiều yêu cầu; hãy thử lại sau {seconds} giây.";
    DatabaseUnavailable => "The database cannot be reached; try again shortly.",
        "Không kết nối được cơ sở dữ liệu; hãy thử lại sau ít phút.";
    Internal => "An unexpected error occurred; it has been logged.",
        "Đã xảy ra lỗi không mong muốn; lỗi đã được ghi vào nhật ký.";
    Duplicate => "A record with the same unique value already exists.",
        "Đã có một bản ghi mang cùng giá trị duy nhất.";
    ReferenceMissing => "A referenced record does not exist.",
        "Bản ghi được tham chiếu không tồn tại.";
    ConcurrentUpdate => "Another request changed the same data; try again.",
        "Một yêu cầu khác vừa thay đổi cùng dữ liệu; hãy thử lại.";

    // Authentication and accounts.
    TokenMissing => "Send an access token as Authorization: Bearer <token>.",
        "Hãy gửi mã truy cập trong tiêu đề Authorization: Bearer <token>.";
    TokenInvalid => "The access token is invalid or expired.",
        "Mã truy cập không hợp lệ hoặc đã hết hạn.";
    AccountDisabled => "The account of this token is disabled or deleted.",
        "Tài khoản của mã truy cập này đã bị vô hiệu hóa hoặc đã bị xóa.";
    InvalidCredentials => "Invalid credentials.", "Thông tin đăng nhập không đúng.";
    CredentialsShape => "send either username and password, or client_id and client_secret",
        "hãy gửi username và password, hoặc client_id và client_secret";
    PasswordTooShort => "password must have at least {min} characters",
        "mật khẩu phải có ít nhất {min} ký tự";
    InvalidUsername => "username must be 3 to 64 characters of letters, digits and ._@-",
        "tên đăng nhập phải gồm 3 đến 64 ký tự là chữ cái, chữ số hoặc ._@-";
    DuplicateUsername => "username {username} is taken", "tên đăng nhập {username} đã được sử dụng";
    CannotDeleteSelf => "an admin cannot delete its own account",
        "quản trị viên không thể xóa tài khoản của chính mình";

    // Request syntax, shared by every resource.
    FieldRequired => "{field} is required", "{field} là bắt buộc";
    FieldNotNull => "{field} cannot be null", "{field} không được để trống (null)";
    NotNullWhenScoped => "{field} cannot be null for a scoped caller",
        "{field} không được để trống đối với tài khoản bị giới hạn phạm vi";
    UnknownField => "unknown field {field}", "trường không được chấp nhận: {field}";
    InvalidValue => "invalid value: {reason}", "giá trị không hợp lệ: {reason}";
    UnknownVariant => "{value} is not one of: {choices}", "{value} không thuộc các giá trị: {choices}";
    MalformedBody => "the body could not be read: {reason}",
        "không đọc được nội dung yêu cầu: {reason}";
    InvalidQuery => "invalid query parameter: {reason}", "tham số truy vấn không hợp lệ: {reason}";
    InvalidPath => "invalid path parameter: {reason}", "tham số đường dẫn không hợp lệ: {reason}";
    RangeBetween => "{field} must be between {min} and {max}",
        "{field} phải nằm trong khoảng từ {min} đến {max}";
    LengthBetween => "{field} must be {min} to {max} characters",
        "{field} phải dài từ {min} đến {max} ký tự";
    NotNegative => "{field} cannot be negative", "{field} không được là số âm";
    AtMostSeconds => "{field} is at most {max} seconds", "{field} tối đa là {max} giây";
    NoSuchYear => "no such year", "năm không hợp lệ";
    OneOf => "{field} must be one of: {choices}", "{field} phải là một trong: {choices}";
    InTheFuture => "{field} cannot be in the future",
        "{field} không được là một ngày trong tương lai";
    InvalidCode => "code must be 1 to 64 characters without spaces",
        "mã (code) phải gồm 1 đến 64 ký tự, không có dấu cách";
    DissolvedBeforeEstablished => "dissolved_on cannot be before established_on",
        "ngày giải thể (dissolved_on) không được trước ngày thành lập (established_on)";
    EndsBeforeStarts => "{field} cannot be before starts_on",
        "{field} không được trước ngày bắt đầu (starts_on)";
    NoSuchOrganisation => "no such organisation", "không có tổ chức đảng này";
    NoSuchLocality => "no such locality", "không có đơn vị hành chính này";
    InvalidCursor => "cursor is not valid", "con trỏ phân trang (cursor) không hợp lệ";
    CursorMismatch => "cursor was made for other filters or another sort; start again without it",
        "cursor được tạo cho bộ lọc hoặc cách sắp xếp khác; hãy bắt đầu lại không dùng cursor";
    InvalidIfMatch => "If-Match must be an ETag sent by this API",
        "If-Match phải là một ETag do API này gửi";
    IdempotencyKeyReused => "this Idempotency-Key was used with another request; use a new key",
        "Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới";
    IdempotencyInFlight => "the first request with this Idempotency-Key is still running; retry shortly",
        "yêu cầu đầu tiên với Idempotency-Key này vẫn đang được xử lý; hãy thử lại sau giây lát";
    InvalidIdempotencyKey => "Idempotency-Key must be 1 to 255 visible ASCII characters",
        "Idempotency-Key phải gồm 1 đến 255 ký tự ASCII hiển thị được";
    SeveralRoots => "the register has several top-level organisations: name one",
        "danh sách có nhiều tổ chức đảng cấp cao nhất: hãy chọn một";

    // Organisations and localities (SPEC section 5).
    DuplicateOrganisationCode => "an organisation with code {code} already exists",
        "đã có tổ chức đảng mang mã {code}";
    DuplicateLocalityCode => "a locality with code {code} already exists",
        "đã có đơn vị hành chính mang mã {code}";
    KindUnder => "a {kind} cannot sit under a {parent}",
        "tổ chức loại {kind} không thể trực thuộc tổ chức loại {parent}";
    KindWithoutParent => "a {kind} cannot stand without a parent",
        "tổ chức loại {kind} phải có tổ chức cấp trên";
    LocalityKindUnder => "a {kind} cannot sit under this parent",
        "đơn vị loại {kind} không thể trực thuộc đơn vị cấp trên này";
    ParentKindMismatch => "parent kind does not fit", "loại của cấp trên không phù hợp";
    ParentRequiredWhenScoped => "a scoped account can only create organisations inside its subtree",
        "tài khoản bị giới hạn phạm vi chỉ tạo được tổ chức đảng trong phạm vi của mình";
    ParentDissolved => "the parent organisation is dissolved", "tổ chức đảng cấp trên đã giải thể";
    OrganisationCycle => "an organisation cannot move under itself or its own descendant",
        "tổ chức đảng không thể chuyển vào dưới chính nó hoặc tổ chức cấp dưới của nó";
    LocalityCycle => "a locality cannot move under itself or its descendant",
        "đơn vị hành chính không thể chuyển vào dưới chính nó hoặc đơn vị cấp dưới của nó";
    WouldCycle => "would create a cycle", "sẽ tạo thành vòng lặp";
    LocalityInUse => "localities or organisations still refer to this locality",
        "vẫn còn đơn vị hành chính hoặc tổ chức đảng tham chiếu tới đơn vị này";
    HasChildren => "move or delete the child organisations first",
        "hãy chuyển hoặc xóa các tổ chức đảng trực thuộc trước";
    MergedMembersHaveLaterEvents => "members of the merged cell have events after the merger date",
        "đảng viên của chi bộ bị hợp nhất có sự kiện sau ngày hợp nhất";
    MergeIntoItself => "an organisation cannot merge into itself or its descendant",
        "tổ chức đảng không thể hợp nhất vào chính nó hoặc tổ chức cấp dưới của nó";
    AlreadyDissolved => "the organisation is already dissolved", "tổ chức đảng đã giải thể";
    MergeTargetDissolved => "the target organisation is dissolved on that day",
        "tổ chức đảng nhận hợp nhất đã giải thể vào ngày đó";
    MergeKindMismatch => "a cell merges into a cell, a committee into a committee",
        "chi bộ hợp nhất vào chi bộ, đảng bộ hợp nhất vào đảng bộ";
    NotGrassroots => "not a grassroots committee or grassroots cell",
        "không phải Đảng bộ cơ sở hay Chi bộ cơ sở";
    OversightOfGrassroots => "a cadre oversees a grassroots organisation",
        "cán bộ được phân công phụ trách một tổ chức cơ sở đảng";
    ParticipationOfGrassroots => "participation is recorded per grassroots organisation",
        "kết quả học tập được ghi nhận theo từng tổ chức cơ sở đảng";

    // People and members.
    InvalidNationalId => "national_id must be 12 digits",
        "số định danh cá nhân (national_id) phải gồm 12 chữ số";
    DuplicateNationalId => "another person has this national_id",
        "một người khác đã có số định danh cá nhân này";
    PersonInUse => "member or candidate records refer to this person",
        "hồ sơ đảng viên hoặc quần chúng vẫn tham chiếu tới người này";
    NotACellDetail => "members belong to a cell (grassroots or subordinate cell)",
        "đảng viên sinh hoạt tại một chi bộ (Chi bộ cơ sở hoặc Chi bộ trực thuộc)";
    NotACell => "not a cell", "không phải là chi bộ";
    CellDissolvedOnThatDay => "the cell is dissolved on that day", "chi bộ đã giải thể vào ngày đó";
    Dissolved => "dissolved", "đã giải thể";
    LastEventDated => "the member's last recorded event is dated {date}",
        "sự kiện gần nhất được ghi nhận của đảng viên là ngày {date}";
    EarlierThanLastEvent => "earlier than the last event", "sớm hơn sự kiện gần nhất";
    DuplicateMemberNumber => "member number {number} is taken", "số lý lịch {number} đã được sử dụng";
    DuplicateCardNumber => "card number {number} is taken",
        "số thẻ đảng viên {number} đã được sử dụng";
    PersonRequired => "give either person_id or an inline person",
        "hãy nêu person_id hoặc gửi kèm thông tin người (person)";
    AlreadyMember => "this person already has a member record", "người này đã có hồ sơ đảng viên";
    RegisteredStatus => "a registered member is probationary, official or exempt",
        "đảng viên được đăng ký phải là đảng viên dự bị, đảng viên chính thức hoặc miễn công tác và sinh hoạt đảng";
    ProbationaryHasNoOfficialDate => "a probationary member has no official date",
        "đảng viên dự bị chưa có ngày chính thức";
    OfficialBeforeAdmission => "official_on cannot precede admitted_on",
        "ngày chính thức (official_on) không được trước ngày kết nạp (admitted_on)";
    CardsForOfficialMembers => "Party cards are issued to official members only",
        "thẻ đảng viên chỉ được phát cho đảng viên chính thức";
    MentorsItself => "a member cannot mentor itself",
        "đảng viên không thể là người giúp đỡ của chính mình";
    NotProbationary => "only a probationary member can be recognised",
        "chỉ đảng viên dự bị mới được công nhận đảng viên chính thức";
    ProbationNotOver => "the 12-month probation ends on {date}",
        "thời gian dự bị 12 tháng kết thúc vào ngày {date}";
    MemberStatusTransition => "a member cannot go from {from} to {to} this way",
        "đảng viên không thể chuyển từ trạng thái {from} sang {to} theo cách này";
    InvalidMilestone => "{milestone} is not a badge milestone",
        "{milestone} không phải là mốc xét tặng Huy hiệu Đảng";
    LeftBeforeMilestone => "the member left the Party before reaching this milestone",
        "đảng viên đã ra khỏi Đảng trước khi đạt mốc này";
    MilestoneReachedOn => "the member reaches {milestone} years on {date}",
        "đảng viên đủ {milestone} năm tuổi đảng vào ngày {date}";
    TemporaryTransferDuration => "a temporary transfer lasts from 3 months to 2 years",
        "chuyển sinh hoạt đảng tạm thời kéo dài từ 3 tháng đến 2 năm";
    BadgeForMembersOnly => "only members, living or posthumously, receive badges",
        "chỉ đảng viên (kể cả truy tặng khi đã từ trần) mới được tặng Huy hiệu Đảng";
    BadgeAlreadyAwarded => "the {milestone}-year badge was already awarded",
        "Huy hiệu {milestone} năm tuổi đảng đã được trao";
    BadgeAlreadyProposed => "the {milestone}-year badge was already proposed",
        "Huy hiệu {milestone} năm tuổi đảng đã được đề nghị";
    NotACurrentMember => "the member is no longer in the register",
        "đảng viên không còn trong danh sách quản lý";
    TransferOutDestination => "a transfer out names its destination",
        "chuyển sinh hoạt đảng ra khỏi đảng bộ phải nêu nơi chuyển đến";
    NotTemporarilyTransferred => "the member is not temporarily transferred",
        "đảng viên không đang chuyển sinh hoạt đảng tạm thời";
    TransferTargetRequired => "name the cell the member moves to",
        "hãy nêu chi bộ mà đảng viên chuyển đến";
    SameCell => "the member is already in that cell", "đảng viên đã sinh hoạt tại chi bộ đó";
    VillageChargeOfVillage => "a member is put in charge of a village or residential group",
        "đảng viên được phân công phụ trách một bản, thôn hoặc tổ dân phố";
    NotAVillage => "not a village or residential group",
        "không phải là bản, thôn hay tổ dân phố";

    // Candidates and admission (SPEC section 5, Candidates).
    TooYoung => "the applicant is under 18 on the admission date",
        "người vào Đảng chưa đủ 18 tuổi vào ngày kết nạp";
    TooOld => "the applicant is over 60: admission needs an approved exception",
        "người vào Đảng trên 60 tuổi: việc kết nạp cần được cấp có thẩm quyền đồng ý";
    AwarenessClassMissing => "the Party-awareness class was not completed within the 5 years before admission",
        "chưa hoàn thành lớp bồi dưỡng nhận thức về Đảng trong 5 năm trước ngày kết nạp";
    IntroducersRequired => "{count} distinct introducer(s) are required",
        "cần {count} người giới thiệu khác nhau";
    IntroducerNotOfficial => "every introducer must be an official member on the admission date",
        "mỗi người giới thiệu phải là đảng viên chính thức vào ngày kết nạp";
    EducationUpgradePending => "the required continuing-education upgrade is not completed",
        "chưa hoàn thành việc học bổ túc văn hóa bắt buộc tại trung tâm giáo dục thường xuyên";
    EducationBelowGrade9 => "general education is below grade 9 without the mountain / ethnic-minority exception",
        "trình độ giáo dục phổ thông dưới lớp 9 mà không thuộc diện ngoại lệ miền núi, vùng dân tộc thiểu số";
    AdmittedThroughAdmission => "a candidate is admitted through POST /candidates/{id}/admission",
        "quần chúng chỉ được kết nạp qua POST /candidates/{id}/admission";
    AlreadyAdmitted => "the candidate has already been admitted", "quần chúng này đã được kết nạp";
    CandidateDropped => "the candidate was dropped",
        "quần chúng này đã bị đưa ra khỏi diện xem xét kết nạp";
    DuplicateQuota => "this organisation already has a quota for that year",
        "tổ chức đảng này đã có chỉ tiêu kết nạp cho năm đó";

    // Cadres, appointments, rotations (SPEC section 5).
    InvalidPlannedPosition => "each planned position is a title of 1 to 255 characters",
        "mỗi chức danh quy hoạch phải dài từ 1 đến 255 ký tự";
    AlreadyCadre => "this person is already in the cadre register",
        "người này đã có trong danh sách cán bộ";
    OverlappingAppointment => "the cadre already holds this position in an overlapping period",
        "cán bộ đã giữ chức danh này trong một khoảng thời gian trùng lặp";
    OverlapsAnotherTerm => "overlaps another term of the same cadre in the same position",
        "trùng với một nhiệm kỳ khác của cùng cán bộ ở cùng chức danh";
    EndedOnRequired => "ended_on is required when the rotation is completed",
        "ended_on là bắt buộc khi đợt luân chuyển đã hoàn thành";
    OverlappingRotation => "the cadre has another active rotation in an overlapping period",
        "cán bộ có một đợt luân chuyển khác đang thực hiện trong khoảng thời gian trùng lặp";
    OverlapsAnotherRotation => "overlaps another active rotation of the same cadre",
        "trùng với một đợt luân chuyển khác đang thực hiện của cùng cán bộ";
    RotationTransition => "a rotation cannot go from {from} to {to}",
        "đợt luân chuyển không thể chuyển từ trạng thái {from} sang {to}";
    RotationTransitionsAllowed => "allowed: planned → active → completed, planned or active → cancelled",
        "được phép: planned → active → completed; planned hoặc active → cancelled";

    // Assessments, training, study.
    PointsFrom2025 => "points are given on the 100-point scale used from 2025",
        "điểm chỉ được cho theo thang 100 điểm áp dụng từ năm 2025";
    NoPointsBefore2025 => "no points before 2025", "không cho điểm với các năm trước 2025";
    DuplicateAssessment => "this subject is already rated for that year",
        "đối tượng này đã được đánh giá, xếp loại cho năm đó";
    DuplicateClassCode => "another training class has this code",
        "đã có một lớp đào tạo, bồi dưỡng khác mang mã này";
    ClassFull => "the class has no seat left", "lớp đã hết chỗ";
    CompletedOnRequired => "completed_on is required when the status is completed",
        "completed_on là bắt buộc khi trạng thái là completed";
    AlreadyEnrolled => "this person is already enrolled in the class",
        "người này đã ghi danh vào lớp";
    InvalidDocument => "each document is a title of 1 to 500 characters",
        "mỗi văn bản là một tiêu đề dài từ 1 đến 500 ký tự";
    AttendedExceedsInvited => "more masses attended than were invited",
        "số quần chúng tham dự nhiều hơn số được mời";
    AttendedAtMostInvited => "masses_attended cannot exceed masses_invited",
        "masses_attended không được vượt quá masses_invited";
    DuplicateParticipation => "this organisation's participation in the campaign is already recorded",
        "kết quả tham gia đợt học tập của tổ chức đảng này đã được ghi nhận";

    // Sync: feed, exports, imports (SPEC section 8).
    UnknownType => "unknown record type {type}", "loại bản ghi không xác định: {type}";
    IsACode => "{field} is a code", "{field} phải là một mã";
    ImportKeyedBy => "an imported {type} is keyed by its {key}",
        "bản ghi {type} được nhập xác định theo trường {key} của nó";
    TypeNotImportable => "records of type {type} have no human key to upsert by; they are written through their own endpoints",
        "bản ghi loại {type} không có mã định danh để nhập theo; hãy ghi chúng qua các điểm cuối riêng của chúng";
    QuotaKeyedByOrganisation => "a quota is keyed by its organisation_code (or organisation_id) and year",
        "chỉ tiêu kết nạp được xác định theo organisation_code (hoặc organisation_id) và year";
    QuotaKeyedByYear => "a quota is keyed by its year", "chỉ tiêu kết nạp được xác định theo năm (year)";
    MemberActionRequired => "a member's status, cell, dates and card change only through its dated actions",
        "trạng thái, chi bộ sinh hoạt, các ngày và thẻ đảng của đảng viên chỉ thay đổi qua các thao tác có ghi ngày";
    UseMemberAction => "record this change with the member's action endpoint",
        "hãy ghi thay đổi này bằng điểm cuối thao tác tương ứng của đảng viên";
    LineNotUtf8 => "the line is not UTF-8", "dòng không được mã hóa UTF-8";
    UnreadableBody => "the request body could not be read", "không đọc được nội dung yêu cầu";
    InvalidEncoding => "the body must be UTF-8", "nội dung phải được mã hóa UTF-8";
    CsvTypeRequired => "a CSV import names its record type with ?type=",
        "tệp CSV nhập vào phải nêu loại bản ghi bằng ?type=";
        LineTypeRequired => "each line names its type", "mỗi dòng phải nêu loại bản ghi (type)";
    LineNotObject => "a line is a JSON object", "mỗi dòng phải là một đối tượng JSON";
    InvalidJsonLine => "the line is not valid JSON: {reason}", "dòng không phải JSON hợp lệ: {reason}";
    CsvCellCount => "expected {expected} cells, found {found}",
        "cần {expected} ô nhưng có {found} ô";
    ImportFailed => "{count} line(s) are broken; nothing was imported",
        "{count} dòng bị lỗi; không có dữ liệu nào được nhập";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(template: &str) -> Vec<String> {
        let mut names: Vec<String> = template
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_message_has_both_languages_with_the_same_parameters() {
        for msg in Msg::ALL {
            let (en, vi) = (msg.template(Lang::En), msg.template(Lang::Vi));
            assert!(!en.trim().is_empty() && !vi.trim().is_empty(), "{msg:?}");
            assert_ne!(en, vi, "{msg:?} is not translated");
            assert_eq!(placeholders(en), placeholders(vi), "{msg:?}");
            assert!(!vi.contains("  ") && vi.trim() == vi, "{msg:?}");
        }
    }

    #[test]
    fn parameters_are_filled_in_either_language() {
        let text = Msg::RangeBetween
            .with("field", "limit")
            .with("min", 1)
            .with("max", 500);
        assert_eq!(text.render(Lang::En), "limit must be between 1 and 500");
        assert_eq!(
            text.render(Lang::Vi),
            "limit phải nằm trong khoảng từ 1 đến 500"
        );
    }

    #[test]
    fn accept_language_picks_vietnamese_by_tag_and_weight() {
        assert_eq!(Lang::negotiate(Some("vi")), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("vi-VN,vi;q=0.9,en;q=0.8")), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("en;q=0.5, vi")), Lang::Vi);
        assert_eq!(Lang::negotiate(Some("fr, vi;q=0.1")), Lang::Vi);
    }

    #[test]
    fn english_is_the_default() {
        assert_eq!(Lang::negotiate(None), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr-FR")), Lang::En);
        assert_eq!(Lang::negotiate(Some("vi;q=0")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en, vi;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("*")), Lang::En);
    }
}
