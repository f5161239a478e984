//! Reading GraphQL requests off the wire, each parameter checked as GraphQL over HTTP defines it:
//! the body of a POST (a JSON request, a JSON array of them, or a multipart upload), and the query
//! string of a GET. What cannot be read is refused before anything runs, with the status that says
//! why (400, 413, 415).

use std::cell::Cell;
use std::collections::HashMap;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use async_graphql::{Request, ServerError, Value, Variables};
use async_graphql_actix_web::GraphQLBatchRequest;
use futures_util::{Stream, StreamExt};
use serde_json::{Map, Value as Json};

use crate::error::{ErrorCode, refusal};
use crate::limits::LimitSettings;

/// One request, or a batch of them (answered with an array).
pub enum Incoming {
    Single(Box<Request>),
    Batch(Vec<Request>),
}

/// A request refused before it ran: the status and the error that says why.
#[derive(Debug)]
pub struct Refused {
    pub status: StatusCode,
    pub error: Box<ServerError>,
}

impl Refused {
    fn new(
        status: StatusCode,
        code: ErrorCode,
        message: impl Into<String>,
        details: impl IntoIterator<Item = (&'static str, Value)>,
    ) -> Self {
        Self { status, error: Box::new(refusal(code, message, details)) }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, message, [])
    }

    fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::QueryTooComplex,
            format!(
                "the request body is larger than {limit} bytes; this service allows at most {limit} (limit max-body-bytes)"
            ),
            [("limit", Value::from("max-body-bytes")), ("maximum", Value::from(limit as u64))],
        )
    }

    fn unsupported(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::BadUserInput, message, [])
    }
}

/// Reads the body of a POST.
pub async fn read_post(http: &HttpRequest, payload: web::Payload, limits: &LimitSettings) -> Result<Incoming, Refused> {
    let limit = limits.max_body_bytes;
    let declared = http
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Refused::too_large(limit));
    }
    let mime = http.mime_type().map_err(|_| Refused::unsupported("the Content-Type header cannot be read"))?;
    let incoming = match mime {
        Some(m) if m.essence_str() == "application/json" => {
            if let Some(charset) = m.get_param("charset")
                && !charset.as_str().eq_ignore_ascii_case("utf-8")
            {
                return Err(Refused::unsupported(format!("the body must be UTF-8, not {charset}")));
            }
            read_json(&read_body(payload, limit).await?, limits)?
        }
        Some(m) if m.essence_str() == "multipart/form-data" => read_multipart(http, payload, limits).await?,
        Some(m) => {
            return Err(Refused::unsupported(format!(
                "a GraphQL request is sent as application/json (or multipart/form-data with files), not {}",
                m.essence_str()
            )));
        }
        None => {
            return Err(Refused::unsupported("the request has no Content-Type: send the request as application/json"));
        }
    };
    Ok(incoming)
}

async fn read_body(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, Refused> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Refused::bad(format!("the request body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(Refused::too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn read_json(body: &[u8], limits: &LimitSettings) -> Result<Incoming, Refused> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Refused::bad("the request has no body: send a JSON object with `query`"));
    }
    let json: Json = serde_json::from_slice(body).map_err(|e| Refused::bad(format!("the body is not JSON: {e}")))?;
    match json {
        Json::Object(object) => Ok(Incoming::Single(Box::new(request_from(object).map_err(Refused::bad)?))),
        Json::Array(items) => {
            check_batch(items.len(), limits)?;
            let requests = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Json::Object(object) => {
                        request_from(object).map_err(|e| Refused::bad(format!("in request {i} of the batch: {e}")))
                    }
                    _ => Err(Refused::bad(format!("request {i} of the batch is not a JSON object"))),
                })
                .collect::<Result<_, _>>()?;
            Ok(Incoming::Batch(requests))
        }
        _ => Err(Refused::bad("the body must be a JSON object (or an array of them, for a batch)")),
    }
}

fn check_batch(size: usize, limits: &LimitSettings) -> Result<(), Refused> {
    if size == 0 {
        return Err(Refused::bad("the batch is empty"));
    }
    if size as u64 > limits.max_batch {
        let max = limits.max_batch;
        return Err(Refused::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::QueryTooComplex,
            format!("the batch holds {size} operations; this service allows at most {max} (limit max-batch)"),
            [("limit", Value::from("max-batch")), ("maximum", Value::from(max)), ("actual", Value::from(size as u64))],
        ));
    }
    Ok(())
}

/// A multipart request (GraphQL multipart request spec: `operations`, `map`, files), read by the
/// async-graphql extractor, within the same body limit.
async fn read_multipart(
    http: &HttpRequest,
    payload: web::Payload,
    limits: &LimitSettings,
) -> Result<Incoming, Refused> {
    let limit = limits.max_body_bytes;
    let over = Rc::new(Cell::new(false));
    let tripped = over.clone();
    let mut seen = 0usize;
    let counted = payload.map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len();
        if seen > limit {
            tripped.set(true);
            return Err(PayloadError::Overflow);
        }
        Ok(chunk)
    });
    let stream: Pin<Box<dyn Stream<Item = Result<web::Bytes, PayloadError>>>> = Box::pin(counted);
    let mut payload = Payload::Stream { payload: stream };
    let batch = GraphQLBatchRequest::from_request(http, &mut payload).await;
    if over.get() {
        return Err(Refused::too_large(limit));
    }
    match batch.map_err(|e| Refused::bad(format!("the multipart request cannot be read: {e}")))?.0 {
        async_graphql::BatchRequest::Single(request) => Ok(Incoming::Single(Box::new(request))),
        async_graphql::BatchRequest::Batch(requests) => {
            check_batch(requests.len(), limits)?;
            Ok(Incoming::Batch(requests))
        }
    }
}

/// Reads the parameters of a GET: `query`, `operationName`, and `variables` and `extensions` as JSON.
pub fn read_get(query_string: &str) -> Result<Request, Refused> {
    let params = web::Query::<HashMap<String, String>>::from_query(query_string)
        .map_err(|e| Refused::bad(format!("the query string cannot be read: {e}")))?
        .into_inner();
    let mut object = Map::new();
    for (name, value) in params {
        let value = match name.as_str() {
            "variables" | "extensions" => serde_json::from_str(&value)
                .map_err(|e| Refused::bad(format!("`{name}` in the URL must be a JSON object: {e}")))?,
            "operationName" if value.is_empty() => Json::Null,
            _ => Json::String(value),
        };
        object.insert(name, value);
    }
    request_from(object).map_err(Refused::bad)
}

/// A request from its parameters: `query` a string, `operationName` a string or null,
/// `variables` and `extensions` objects or null. A request without `query` must name a trusted
/// document by its hash.
fn request_from(mut object: Map<String, Json>) -> Result<Request, String> {
    let query = match object.remove("query") {
        None | Some(Json::Null) => None,
        Some(Json::String(query)) => Some(query),
        Some(other) => return Err(format!("`query` must be a string, not {}", kind(&other))),
    };
    let operation_name = match object.remove("operationName") {
        None | Some(Json::Null) => None,
        Some(Json::String(name)) => Some(name),
        Some(other) => return Err(format!("`operationName` must be a string or null, not {}", kind(&other))),
    };
    let variables = match object.remove("variables") {
        None | Some(Json::Null) => Variables::default(),
        Some(Json::Object(map)) => Variables::from_json(Json::Object(map)),
        Some(other) => return Err(format!("`variables` must be an object or null, not {}", kind(&other))),
    };
    let extensions = match object.remove("extensions") {
        None | Some(Json::Null) => Map::new(),
        Some(Json::Object(map)) => map,
        Some(other) => return Err(format!("`extensions` must be an object or null, not {}", kind(&other))),
    };
    if query.is_none() && !extensions.contains_key("persistedQuery") {
        return Err("the request has no `query`".to_owned());
    }
    let mut request = Request::new(query.unwrap_or_default()).variables(variables);
    request.operation_name = operation_name;
    for (name, value) in extensions {
        let value = Value::from_json(value).map_err(|e| format!("`extensions.{name}` cannot be read: {e}"))?;
        request.extensions.insert(name, value);
    }
    Ok(request)
}

fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(body: &str) -> Result<Request, String> {
        match read_json(body.as_bytes(), &LimitSettings::default()) {
            Ok(Incoming::Single(request)) => Ok(*request),
            Ok(Incoming::Batch(_)) => Err("a batch".to_owned()),
            Err(refused) => Err(refused.error.message),
        }
    }

    #[test]
    fn parameters_of_the_wrong_type_are_refused_by_name() {
        assert_eq!(
            single(r#"{"query": "{ a }", "variables": null, "operationName": null, "extensions": null}"#)
                .unwrap()
                .query,
            "{ a }"
        );
        for (body, name) in [
            (r#"{"query": {"obj": "ect"}}"#, "`query`"),
            (r#"{"query": 0}"#, "`query`"),
            (r#"{"query": "{ a }", "operationName": false}"#, "`operationName`"),
            (r#"{"query": "{ a }", "variables": "string"}"#, "`variables`"),
            (r#"{"query": "{ a }", "variables": ["array"]}"#, "`variables`"),
            (r#"{"query": "{ a }", "extensions": 0}"#, "`extensions`"),
            (r#"{"qeury": "{ a }"}"#, "no `query`"),
            (r#"{ "not a JSON"#, "not JSON"),
            ("", "no body"),
            ("[]", "empty"),
            ("42", "JSON object"),
        ] {
            let err = single(body).unwrap_err();
            assert!(err.contains(name), "{body}: {err}");
        }
    }

    #[test]
    fn a_get_carries_its_parameters_in_the_url() {
        let request = read_get("query=query%20Q%20%7B%20a%20%7D&operationName=Q&variables=%7B%22n%22%3A1%7D").unwrap();
        assert_eq!((request.query.as_str(), request.operation_name.as_deref()), ("query Q { a }", Some("Q")));
        assert_eq!(request.variables.get("n"), Some(&Value::from(1)));
        let err = read_get("query=%7Ba%7D&variables=nope").unwrap_err();
        assert!(err.error.message.contains("`variables`"), "{}", err.error.message);
        assert!(read_get("").unwrap_err().error.message.contains("no `query`"));
    }

    #[test]
    fn batches_are_held_to_their_limit() {
        let limits = LimitSettings { max_batch: 2, ..LimitSettings::default() };
        let two = r#"[{"query": "{ a }"}, {"query": "{ b }"}]"#;
        assert!(matches!(read_json(two.as_bytes(), &limits), Ok(Incoming::Batch(r)) if r.len() == 2));
        let three = r#"[{"query": "{ a }"}, {"query": "{ b }"}, {"query": "{ c }"}]"#;
        let Err(refused) = read_json(three.as_bytes(), &limits) else { panic!("three is over the limit") };
        assert!(refused.error.message.contains("max-batch"), "{}", refused.error.message);
    }
}
