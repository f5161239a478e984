//! Vietnamese folded for search: lower case, no tone or vowel marks, `đ` as `d`, words split on
//! anything that is not a letter or digit. `Thông tin đối ngoại` and `thong tin doi ngoai` fold alike.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The words of `text`, folded, separated by single spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        let c = match c {
            'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// A symbol folded to its letters and digits only, so that `57-KL/TW`, `57 KL TW` and `57-kl/tw`
/// meet; none unless the text holds both a digit and a letter, as every symbol does.
pub fn symbol_key(text: &str) -> Option<String> {
    let key: String = fold(text).chars().filter(|c| *c != ' ').collect();
    let has_digit = key.chars().any(|c| c.is_ascii_digit());
    let has_letter = key.chars().any(char::is_alphabetic);
    (has_digit && has_letter).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_folds_to_plain_words() {
        assert_eq!(fold("Thông tin đối ngoại"), "thong tin doi ngoai");
        assert_eq!(fold("ĐẨY MẠNH  thông-tin"), "day manh thong tin");
        assert_eq!(fold("Quyết định 837/QĐ-TTg"), "quyet dinh 837 qd ttg");
        // Decomposed input (NFD) folds the same as composed.
        assert_eq!(fold("Thông tin"), fold("Tho\u{302}ng tin"));
        assert_eq!(fold("  "), "");
    }

    #[test]
    fn symbols_meet_however_they_are_written() {
        let key = symbol_key("57-KL/TW");
        assert_eq!(key.as_deref(), Some("57kltw"));
        assert_eq!(symbol_key("57 KL TW"), key);
        assert_eq!(symbol_key("57-kl/tw"), key);
        assert_eq!(symbol_key("837/QD-TTg"), symbol_key("837/QĐ – TTg"));
        assert_eq!(symbol_key("837/QD-TTg").as_deref(), Some("837qdttg"));
        assert_eq!(symbol_key("thong tin doi ngoai"), None);
        assert_eq!(symbol_key("2030"), None);
    }
}
