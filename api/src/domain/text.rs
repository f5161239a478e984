//! Cleaning of free text that users send: Vietnamese is stored in NFC so that equal words compare equal.

use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// Longest text accepted in any one field (a task's content is a paragraph, not a book).
const MAX_CHARS: usize = 20_000;

/// NFC, trimmed, not empty, not absurdly long. `field` names the input for the error.
pub fn required(field: &str, value: &str) -> Result<String> {
    let text: String = value.trim().nfc().collect();
    if text.is_empty() {
        return Err(Error::bad_field(field, format!("{field} must not be empty")));
    }
    if text.chars().count() > MAX_CHARS {
        return Err(Error::bad_field(field, format!("{field} is longer than {MAX_CHARS} characters")));
    }
    Ok(text)
}

/// Like [`required`], but an empty or missing value means "none".
pub fn optional(field: &str, value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required(field, v).map(Some),
    }
}

/// An agency code: a stable ASCII key such as `HY-STTTT` (upper-case letters, digits, dashes).
pub fn agency_code(field: &str, value: &str) -> Result<String> {
    let code = value.trim();
    let valid = !code.is_empty()
        && code.len() <= 40
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && !code.ends_with('-')
        && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err(Error::bad_field(
            field,
            format!(
                "\"{}\" is not an agency code: expected upper-case ASCII letters, digits and dashes, \
                 starting with a letter, such as BTTTT or HY-STTTT",
                code.chars().take(40).collect::<String>()
            ),
        ));
    }
    Ok(code.to_owned())
}

/// A code within a document (`1`, `2.3`, `II`): short, no spaces.
pub fn local_code(field: &str, value: &str) -> Result<String> {
    let code: String = value.trim().nfc().collect();
    if code.is_empty() || code.chars().count() > 20 || code.chars().any(char::is_whitespace) {
        return Err(Error::bad_field(
            field,
            format!("{field} must be 1 to 20 characters without spaces, such as 1, 2.3 or II"),
        ));
    }
    Ok(code)
}

/// An http(s) URL, loosely checked: enough to refuse obvious mistakes.
pub fn url(field: &str, value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if (v.starts_with("https://") || v.starts_with("http://")) && !v.contains(char::is_whitespace) => {
            Ok(Some(v.to_owned()))
        }
        Some(_) => Err(Error::bad_field(field, format!("{field} must be an http:// or https:// URL"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_stored_in_nfc() {
        let decomposed = "Ke\u{302}\u{301}t lua\u{323}\u{302}n";
        assert_eq!(required("title", decomposed).unwrap(), "Kết luận");
    }

    #[test]
    fn empty_text_names_the_field() {
        let err = required("title", "   ").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("title"));
    }

    #[test]
    fn agency_codes() {
        assert_eq!(agency_code("code", " HY-STTTT ").unwrap(), "HY-STTTT");
        for bad in ["", "hy-stttt", "1ABC", "AB C", "ABC-", "BỘ"] {
            assert!(agency_code("code", bad).is_err(), "{bad}");
        }
    }
}
