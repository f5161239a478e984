//! Parsed documents, remembered by their text. Clients send the same few documents over and over
//! with different variables; parsing one costs more than the rest of a small request (a quarter of
//! the instructions of an agency looked up by code), and a parsed document depends on nothing but
//! its text. A document is remembered only once it has passed every check made on the text, so a
//! text found here needs none of them again.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// Texts longer than this are parsed every time: the documents worth remembering are the short
/// ones sent many times, and the bound keeps what is remembered small.
const LONGEST: usize = 8 * 1024;

pub struct ParsedDocuments {
    cache: Option<Mutex<LruCache<String, ExecutableDocument>>>,
}

impl ParsedDocuments {
    /// Remembers up to `capacity` documents, the least recently used going first; 0 remembers none.
    pub fn new(capacity: usize) -> Self {
        Self { cache: NonZeroUsize::new(capacity).map(|c| Mutex::new(LruCache::new(c))) }
    }

    pub fn get(&self, text: &str) -> Option<ExecutableDocument> {
        let mut cache = self.cache.as_ref()?.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.get(text).cloned()
    }

    /// Remembers `document`, parsed from `text`, which passed the checks on the text.
    pub fn keep(&self, text: String, document: &ExecutableDocument) {
        let Some(cache) = &self.cache else { return };
        if text.len() > LONGEST {
            return;
        }
        let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.put(text, document.clone());
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    #[test]
    fn remembers_short_documents_and_forgets_the_least_recently_used() {
        let documents = ParsedDocuments::new(2);
        let texts = ["{ a }", "{ b }", "{ c }"];
        for text in texts {
            documents.keep(text.to_owned(), &parse_query(text).unwrap());
        }
        assert!(documents.get("{ a }").is_none(), "the oldest went when the third came");
        let b = documents.get("{ b }").expect("remembered");
        assert_eq!(format!("{b:?}"), format!("{:?}", parse_query("{ b }").unwrap()));
        assert!(documents.get("{ d }").is_none());

        let long = format!("{{ {} }}", "a ".repeat(LONGEST));
        documents.keep(long.clone(), &parse_query(&long).unwrap());
        assert!(documents.get(&long).is_none(), "a long text is parsed every time");
        assert!(documents.get("{ c }").is_some(), "and pushes out nothing");

        let off = ParsedDocuments::new(0);
        off.keep("{ a }".to_owned(), &parse_query("{ a }").unwrap());
        assert!(off.get("{ a }").is_none());
    }
}
