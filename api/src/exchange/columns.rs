//! The columns of a plan's task list, and the headers that name them in Vietnamese and English
//! spreadsheets. Headers match whatever their case, marks and spacing (`Cơ quan chủ trì`,
//! `CO QUAN CHU TRI` and `coQuanChuTri` are one header).

use crate::domain::fold::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Code,
    Group,
    GroupTitle,
    Title,
    Content,
    ContentEn,
    Lead,
    Coordinators,
    Deadline,
    ExpectedOutput,
    AssignedOn,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Self::Code,
        Self::Group,
        Self::GroupTitle,
        Self::Title,
        Self::Content,
        Self::ContentEn,
        Self::Lead,
        Self::Coordinators,
        Self::Deadline,
        Self::ExpectedOutput,
        Self::AssignedOn,
    ];

    /// Every row must fill these.
    pub const REQUIRED: [Column; 3] = [Self::Code, Self::Content, Self::Lead];

    /// The header the service writes (first) and the others it reads.
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Self::Code => &["Mã", "code", "mã nhiệm vụ", "STT", "số TT", "TT"],
            Self::Group => &["Nhóm", "group", "nhóm nhiệm vụ", "mã nhóm"],
            Self::GroupTitle => &["Tên nhóm", "group title"],
            Self::Title => &["Tên nhiệm vụ", "title", "tiêu đề"],
            Self::Content => &["Nội dung", "content", "nội dung nhiệm vụ", "nhiệm vụ"],
            Self::ContentEn => &["Nội dung (tiếng Anh)", "content en", "content (en)", "contentEn"],
            Self::Lead => &["Cơ quan chủ trì", "lead", "presiding", "presiding agency", "chủ trì", "đơn vị chủ trì"],
            Self::Coordinators => &[
                "Cơ quan phối hợp",
                "coordinators",
                "coordinating",
                "coordinating agencies",
                "phối hợp",
                "đơn vị phối hợp",
            ],
            Self::Deadline => &["Thời hạn", "deadline", "thời hạn hoàn thành", "thời gian hoàn thành", "hạn"],
            Self::ExpectedOutput => &["Sản phẩm", "expected output", "expectedOutput", "sản phẩm dự kiến", "kết quả"],
            Self::AssignedOn => &["Ngày giao", "assigned on", "assignedOn"],
        }
    }

    /// The header the service writes.
    pub fn header(self) -> &'static str {
        self.headers()[0]
    }

    /// The column a header names, if any.
    pub fn named(header: &str) -> Option<Column> {
        let key = key(header);
        if key.is_empty() {
            return None;
        }
        Self::ALL.into_iter().find(|c| c.headers().iter().any(|h| self::key(h) == key))
    }
}

/// A header folded to its letters and digits.
fn key(header: &str) -> String {
    fold(header).replace(' ', "")
}

/// The spreadsheet name of a column: A, B, …, Z, AA, …
pub fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_however_written() {
        assert_eq!(Column::named("Cơ quan chủ trì"), Some(Column::Lead));
        assert_eq!(Column::named("  CO QUAN CHU TRI "), Some(Column::Lead));
        assert_eq!(Column::named("coQuanChuTri"), Some(Column::Lead));
        assert_eq!(Column::named("Presiding agency"), Some(Column::Lead));
        assert_eq!(Column::named("contentEn"), Some(Column::ContentEn));
        assert_eq!(Column::named("Số TT"), Some(Column::Code));
        assert_eq!(Column::named("Tình trạng"), None);
        assert_eq!(Column::named(""), None);
    }

    #[test]
    fn every_header_names_its_own_column() {
        for c in Column::ALL {
            for h in c.headers() {
                assert_eq!(Column::named(h), Some(c), "{h}");
            }
        }
    }

    #[test]
    fn column_letters() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
    }
}
