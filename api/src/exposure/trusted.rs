//! Trusted documents: when configured, the service runs only the operations of an allow-list that
//! its clients were built with. A client sends a document's SHA-256 hash in Apollo's persisted-query
//! form, `extensions: {persistedQuery: {version: 1, sha256Hash: "…"}}`, with or without the
//! document itself; a document sent whole runs when its hash is on the list.
//!
//! The file is either an Apollo persisted-query manifest
//! (`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body", …}]}`)
//! or a JSON object from hash to document (the form GraphQL Code Generator and others write).
//! Every hash must be the SHA-256 of its document, so that a document sent whole is recognised.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, bail};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::Error;

/// The allow-list: document by hash.
#[derive(Debug, Clone, Default)]
pub struct TrustedDocuments {
    by_hash: HashMap<String, String>,
}

#[derive(Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    operations: Vec<ManifestOperation>,
}

#[derive(Deserialize)]
struct ManifestOperation {
    id: String,
    body: String,
}

/// The SHA-256 of a document, in lowercase hex, as clients compute it.
pub fn hash(document: &str) -> String {
    format!("{:x}", Sha256::digest(document.as_bytes()))
}

impl TrustedDocuments {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the trusted documents file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("the trusted documents file {} is not usable", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let value: Value = serde_json::from_str(text).context("it is not JSON")?;
        let pairs: Vec<(String, String)> = if value.get("format").is_some() {
            let manifest: Manifest = serde_json::from_value(value).context("it is not a persisted-query manifest")?;
            if manifest.format != "apollo-persisted-query-manifest" || manifest.version != 1 {
                bail!(
                    "the manifest format {} version {} is not apollo-persisted-query-manifest 1",
                    manifest.format,
                    manifest.version
                );
            }
            manifest.operations.into_iter().map(|op| (op.id, op.body)).collect()
        } else {
            serde_json::from_value::<HashMap<String, String>>(value)
                .context("expected an object from SHA-256 hash to document")?
                .into_iter()
                .collect()
        };
        let mut by_hash = HashMap::new();
        for (id, body) in pairs {
            let id = id.strip_prefix("sha256:").unwrap_or(&id).to_ascii_lowercase();
            let actual = hash(&body);
            if id != actual {
                bail!(
                    "the document listed as {id} has the SHA-256 hash {actual}: list each document under its own hash"
                );
            }
            by_hash.insert(id, body);
        }
        if by_hash.is_empty() {
            bail!("it lists no document");
        }
        Ok(Self { by_hash })
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

/// Fills in and checks the document of a request. With no allow-list, any document runs, and a
/// hash sent with one must match it.
pub fn resolve(list: Option<&TrustedDocuments>, request: &mut async_graphql::Request) -> Result<(), Error> {
    let sent_hash = persisted_hash(request)?;
    if request.query.is_empty() {
        let Some(sent) = sent_hash else {
            return Err(Error::bad_input("the request has no query: send `query`, or a trusted document's hash"));
        };
        let Some(list) = list else {
            return Err(Error::bad_input(format!(
                "this service keeps no persisted documents, so the hash {sent} names none: send the query itself"
            )));
        };
        let Some(document) = list.by_hash.get(&sent) else {
            return Err(Error::forbidden(format!(
                "{sent} is not the hash of a trusted document: this service runs only the documents it was given"
            )));
        };
        request.query = document.clone();
        return Ok(());
    }
    // Most requests send neither a hash nor meet an allow-list: nothing to hash the text for.
    if sent_hash.is_none() && list.is_none() {
        return Ok(());
    }
    let actual = hash(&request.query);
    if let Some(sent) = sent_hash
        && sent != actual
    {
        return Err(Error::bad_input(format!(
            "extensions.persistedQuery.sha256Hash is {sent}, but the query sent has the hash {actual}"
        )));
    }
    if let Some(list) = list
        && !list.by_hash.contains_key(&actual)
    {
        return Err(Error::forbidden(format!(
            "this service runs only trusted documents, and this one (SHA-256 {actual}) is not among them"
        )));
    }
    Ok(())
}

/// `extensions.persistedQuery.sha256Hash`, checked.
fn persisted_hash(request: &async_graphql::Request) -> Result<Option<String>, Error> {
    let Some(persisted) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let persisted = persisted.clone().into_json().unwrap_or(Value::Null);
    if persisted.is_null() {
        return Ok(None);
    }
    let malformed =
        || Error::bad_input("extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\": \"<64 hex digits>\"}");
    if persisted.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(malformed());
    }
    let hash = persisted.get("sha256Hash").and_then(Value::as_str).ok_or_else(malformed)?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed());
    }
    Ok(Some(hash.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const DOC: &str = "{ agencies { totalCount } }";

    fn request(query: &str, hash: Option<&str>) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(query);
        if let Some(hash) = hash {
            let value = serde_json::json!({ "version": 1, "sha256Hash": hash });
            request.extensions.insert("persistedQuery".into(), async_graphql::Value::from_json(value).unwrap());
        }
        request
    }

    #[test]
    fn both_file_forms_load_and_a_wrong_hash_is_refused() {
        let map = serde_json::json!({ hash(DOC): DOC }).to_string();
        assert_eq!(TrustedDocuments::parse(&map).unwrap().len(), 1);
        let manifest = serde_json::json!({
            "format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{ "id": hash(DOC), "name": "Count", "type": "query", "body": DOC }]
        })
        .to_string();
        assert_eq!(TrustedDocuments::parse(&manifest).unwrap().len(), 1);
        let wrong = serde_json::json!({ "0".repeat(64): DOC }).to_string();
        let err = format!("{:#}", TrustedDocuments::parse(&wrong).unwrap_err());
        assert!(err.contains(&hash(DOC)), "{err}");
    }

    #[test]
    fn a_listed_hash_brings_its_document_and_others_are_refused() {
        let list = TrustedDocuments::parse(&serde_json::json!({ hash(DOC): DOC }).to_string()).unwrap();
        let mut by_hash = request("", Some(&hash(DOC)));
        resolve(Some(&list), &mut by_hash).unwrap();
        assert_eq!(by_hash.query, DOC);
        resolve(Some(&list), &mut request(DOC, None)).unwrap();

        let unknown = resolve(Some(&list), &mut request("", Some(&"a".repeat(64)))).unwrap_err();
        assert_eq!(unknown.code, ErrorCode::Forbidden);
        let other = resolve(Some(&list), &mut request("{ __typename }", None)).unwrap_err();
        assert_eq!(other.code, ErrorCode::Forbidden);
        assert!(other.message.contains(&hash("{ __typename }")), "{}", other.message);
    }

    #[test]
    fn without_a_list_any_document_runs_but_hashes_must_match() {
        resolve(None, &mut request(DOC, Some(&hash(DOC)))).unwrap();
        let mismatch = resolve(None, &mut request(DOC, Some(&"b".repeat(64)))).unwrap_err();
        assert_eq!(mismatch.code, ErrorCode::BadUserInput);
        let only_hash = resolve(None, &mut request("", Some(&hash(DOC)))).unwrap_err();
        assert!(only_hash.message.contains("send the query"), "{}", only_hash.message);
        let malformed = resolve(None, &mut request("", Some("xyz"))).unwrap_err();
        assert_eq!(malformed.code, ErrorCode::BadUserInput);
    }
}
