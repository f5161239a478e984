//! Translations of a Vietnamese original: a map from language code to text, stored as JSON.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// The original language of every title and name.
pub const ORIGINAL: &str = "vi";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Translations(BTreeMap<String, String>);

impl Translations {
    pub fn from_json(value: &serde_json::Value) -> Self {
        let map = value
            .as_object()
            .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
            .unwrap_or_default();
        Self(map)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(self.0.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect())
    }

    /// Sets or, with `None`, removes one language; the text is cleaned like any other input.
    pub fn set(&mut self, field: &str, lang: &str, text: Option<&str>) -> Result<()> {
        match super::text::optional(field, text)? {
            Some(t) => self.0.insert(lang.to_owned(), t),
            None => self.0.remove(lang),
        };
        Ok(())
    }

    pub fn with(field: &str, lang: &str, text: Option<&str>) -> Result<Self> {
        let mut t = Self::default();
        t.set(field, lang, text)?;
        Ok(t)
    }

    pub fn get(&self, lang: &str) -> Option<&str> {
        self.0.get(lang).map(String::as_str)
    }
}

/// Picks the text in `lang`, falling back to the Vietnamese original.
pub fn pick<'a>(original: &'a str, translations: &'a serde_json::Value, lang: Option<&str>) -> &'a str {
    match lang.map(normalize_lang) {
        None => original,
        Some(l) if l == ORIGINAL => original,
        Some(l) => translations.get(l.as_str()).and_then(|v| v.as_str()).unwrap_or(original),
    }
}

/// Picks the text in the first of `langs` that it has, or the original when Vietnamese comes
/// first or none has it: the languages of a request's `Accept-Language`.
pub fn pick_first<'a>(original: &'a str, translations: &'a serde_json::Value, langs: &[String]) -> &'a str {
    for lang in langs {
        if lang == ORIGINAL {
            return original;
        }
        if let Some(text) = translations.get(lang.as_str()).and_then(|v| v.as_str()) {
            return text;
        }
    }
    original
}

/// The languages of an `Accept-Language` header (`fr-CH, en;q=0.8, vi;q=0.5`), most wanted
/// first, as primary subtags; `*` and refused (`q=0`) ones left out.
pub fn accepted(header: &str) -> Vec<String> {
    let mut langs: Vec<(f32, usize, String)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = normalize_lang(pieces.next()?.trim());
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let valid = (2..=3).contains(&tag.len()) && tag.chars().all(|c| c.is_ascii_lowercase());
            (valid && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    langs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, _, tag) in langs {
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

/// `EN`, `en-US` → `en`: the primary language subtag, which is all translations are keyed by.
fn normalize_lang(lang: &str) -> String {
    lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase()
}

/// Checks a language code given in an input (`en`, `fr`).
pub fn lang_code(field: &str, lang: &str) -> Result<String> {
    let l = normalize_lang(lang.trim());
    if l.len() < 2 || l.len() > 3 || !l.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(Error::bad_field(field, format!("\"{lang}\" is not a language code such as en or fr")));
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_vietnamese() {
        let t = Translations::with("titleEn", "en", Some("Conclusion")).unwrap().to_json();
        assert_eq!(pick("Kết luận", &t, Some("en")), "Conclusion");
        assert_eq!(pick("Kết luận", &t, Some("EN-gb")), "Conclusion");
        assert_eq!(pick("Kết luận", &t, Some("fr")), "Kết luận");
        assert_eq!(pick("Kết luận", &t, None), "Kết luận");
        assert_eq!(pick("Kết luận", &t, Some("vi")), "Kết luận");
    }

    #[test]
    fn accept_language_orders_the_choice() {
        assert_eq!(accepted("fr-CH, en;q=0.8, vi;q=0.9, *;q=0.1, de;q=0"), ["fr", "vi", "en"]);
        assert_eq!(accepted(""), Vec::<String>::new());
        let t = Translations::with("titleEn", "en", Some("Conclusion")).unwrap().to_json();
        assert_eq!(pick_first("Kết luận", &t, &accepted("fr, en;q=0.5")), "Conclusion");
        assert_eq!(pick_first("Kết luận", &t, &accepted("vi, en")), "Kết luận");
        assert_eq!(pick_first("Kết luận", &t, &accepted("fr")), "Kết luận");
    }
}
