//! Vietnamese names for generated people, with their diacritics.

pub const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lò",
    "Quàng", "Cà", "Lường", "Tòng", "Vì", "Sùng", "Giàng", "Mùa", "Thào", "Vàng", "Lầu", "Điêu",
    "Bạc", "Lù", "Lý",
];

pub const MIDDLE_MALE: &[&str] = &["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "A"];
pub const MIDDLE_FEMALE: &[&str] = &["Thị", "Thu", "Ngọc", "Minh", "Kim", "Thanh", "Y"];

pub const GIVEN_MALE: &[&str] = &[
    "Hải", "Dũng", "Hùng", "Minh", "Tuấn", "Thắng", "Sơn", "Long", "Phong", "Cường", "Chiến",
    "Đông", "Khánh", "Lâm", "Nam", "Phúc", "Quyết", "Thành", "Trung", "Vinh", "Sếnh", "Páo", "Chứ",
    "Dế",
];

pub const GIVEN_FEMALE: &[&str] = &[
    "Mai", "Lan", "Hương", "Hoa", "Thảo", "Hằng", "Nga", "Linh", "Phương", "Trang", "Yến", "Xuân",
    "Thu", "Hà", "Nhung", "Vân", "Bích", "Dung", "Mỷ", "Dợ",
];

pub const VILLAGE: &[&str] = &[
    "Hón",
    "Pơ Mu",
    "Co Muông",
    "Xôm",
    "Cang",
    "Bua",
    "Hua Ná",
    "Huổi Sứa",
    "Pá Ngam",
    "Nậm Pọng",
    "Thẳm Búng",
    "Co Cượm",
    "Ten Luông",
    "Khá",
    "Na Sản",
    "Búng Lao",
    "Ẳng Cang",
    "Ẳng Nưa",
    "Ẳng Tở",
    "Mường Lạn",
];

pub const COMMUNE: &[&str] = &[
    "Mường Đăng",
    "Ngối Cáy",
    "Ẳng Cang",
    "Ẳng Nưa",
    "Ẳng Tở",
    "Búng Lao",
    "Xuân Lao",
    "Nặm Lịch",
    "Mường Lạn",
    "Mường Ảng",
    "Tuần Giáo",
    "Quài Tở",
    "Chiềng Sinh",
    "Mường Mùn",
    "Pú Nhung",
];
