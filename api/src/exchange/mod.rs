//! Plans in and reports out. A plan's tasks come in from a spreadsheet (XLSX, CSV) or JSON, all or
//! nothing; a document's cascade goes out as JSON for other services, CSV and XLSX for people, and
//! a Mermaid diagram.

pub mod cascade;
pub mod columns;
pub mod commands;
pub mod diagram;
pub mod export;
pub mod import;
pub mod sheet;
pub mod workbook;

/// The file formats of imports and exports.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    Json,
    Csv,
    Xlsx,
}

impl FileFormat {
    /// The format a file name announces by its extension.
    pub fn from_name(name: &str) -> Option<Self> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "csv" | "txt" => Some(Self::Csv),
            "xlsx" | "xlsm" => Some(Self::Xlsx),
            _ => None,
        }
    }

    /// The format of a file by its name or, failing that, its first bytes (an XLSX file is a ZIP
    /// archive; JSON opens with `[` or `{`).
    pub fn detect(name: Option<&str>, bytes: &[u8]) -> Self {
        if let Some(format) = name.and_then(Self::from_name) {
            return format;
        }
        let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            _ if bytes.starts_with(b"PK\x03\x04") => Self::Xlsx,
            Some(b'[' | b'{') => Self::Json,
            _ => Self::Csv,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

impl std::str::FromStr for FileFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::from_name(&format!("x.{s}")).ok_or_else(|| format!("\"{s}\" is not a format: use json, csv or xlsx"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_then_content() {
        assert_eq!(FileFormat::detect(Some("Kế hoạch.XLSX"), b""), FileFormat::Xlsx);
        assert_eq!(FileFormat::detect(None, b"PK\x03\x04rest"), FileFormat::Xlsx);
        assert_eq!(FileFormat::detect(None, b"  [{}]"), FileFormat::Json);
        assert_eq!(FileFormat::detect(None, b"\xef\xbb\xbf{\"tasks\": []}"), FileFormat::Json);
        assert_eq!(FileFormat::detect(Some("tasks"), b"code,content"), FileFormat::Csv);
        assert_eq!("xlsx".parse::<FileFormat>(), Ok(FileFormat::Xlsx));
        assert!("pdf".parse::<FileFormat>().is_err());
    }
}
