//! What kind of document a symbol's type code announces, so that clients need not say it twice.

use entity::sea_orm_active_enums::{DocumentKind, DocumentSystem};

use super::symbol::{self, DocumentSymbol};

pub fn system_of(symbol: &DocumentSymbol) -> DocumentSystem {
    match symbol.system() {
        symbol::DocumentSystem::Party => DocumentSystem::Party,
        symbol::DocumentSystem::State => DocumentSystem::State,
    }
}

/// The kind a document has unless its creator says otherwise.
pub fn default_kind(symbol: &DocumentSymbol) -> DocumentKind {
    match symbol.type_code() {
        Some("KL") => DocumentKind::Conclusion,
        Some("NQ" | "NQLT") => DocumentKind::Resolution,
        Some("CT") => DocumentKind::Directive,
        Some("CTr" | "CTHĐ") => DocumentKind::Program,
        Some("KH") => DocumentKind::Plan,
        Some("QĐ" | "QĐi") => DocumentKind::Decision,
        Some("ĐA" | "DA" | "PA") => DocumentKind::Scheme,
        Some("HD") => DocumentKind::Guidance,
        Some("CV") => DocumentKind::OfficialLetter,
        Some("NĐ") => DocumentKind::Decree,
        Some("TT" | "TTLT") => DocumentKind::Circular,
        Some("TB") => DocumentKind::Notice,
        Some("BC") => DocumentKind::Report,
        Some(_) => DocumentKind::Other,
        // No type code: a National Assembly resolution carries its year, an official letter does not.
        None if symbol.year().is_some() => DocumentKind::Resolution,
        None => DocumentKind::OfficialLetter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> DocumentKind {
        default_kind(&DocumentSymbol::parse(s).unwrap())
    }

    #[test]
    fn kinds_follow_the_type_code() {
        assert_eq!(kind("57-KL/TW"), DocumentKind::Conclusion);
        assert_eq!(kind("47/NQ-CP"), DocumentKind::Resolution);
        assert_eq!(kind("139/KH-UBND"), DocumentKind::Plan);
        assert_eq!(kind("837/QĐ-TTg"), DocumentKind::Decision);
        assert_eq!(kind("111-HD/BTGTW"), DocumentKind::Guidance);
        assert_eq!(kind("30/2020/NĐ-CP"), DocumentKind::Decree);
        assert_eq!(kind("2802/UBND-NC"), DocumentKind::OfficialLetter);
        assert_eq!(kind("202/2025/QH15"), DocumentKind::Resolution);
        assert_eq!(kind("147-CTHĐ/TU"), DocumentKind::Program);
    }

    #[test]
    fn system_follows_the_first_separator() {
        assert_eq!(system_of(&DocumentSymbol::parse("57-KL/TW").unwrap()), DocumentSystem::Party);
        assert_eq!(system_of(&DocumentSymbol::parse("47/NQ-CP").unwrap()), DocumentSystem::State);
    }
}
