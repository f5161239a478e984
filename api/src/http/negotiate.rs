//! GraphQL over HTTP's media types and status codes.
//!
//! A client that accepts `application/graphql-response+json` gets it, with a status that tells a
//! request error (the request never ran: 400 for a malformed or refused document, 401, 403, 429)
//! from a response with data (200, field errors included). A client that asks for
//! `application/json`, any type, or nothing gets `application/json` and 200 for every well-formed
//! request, as older clients expect; only throttling (429) and authentication (401) change that.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, Accept, Header, Quality};
use std::collections::BTreeMap;

use async_graphql::{Response, ServerError, Value};
use serde::Serialize;

use crate::error::ErrorCode;

/// The media type of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    /// The status of a GraphQL response in this media type.
    pub fn status(self, response: &Response) -> StatusCode {
        let code = response.errors.first().and_then(|e| e.extensions.as_ref()?.get("code").cloned());
        let code = match code {
            Some(Value::String(code)) => code,
            _ => String::new(),
        };
        if code == ErrorCode::RateLimited.as_str() {
            return StatusCode::TOO_MANY_REQUESTS;
        }
        if self == Self::Json || !is_request_error(response) {
            return StatusCode::OK;
        }
        match code.as_str() {
            c if c == ErrorCode::Unauthenticated.as_str() => StatusCode::UNAUTHORIZED,
            c if c == ErrorCode::Forbidden.as_str() => StatusCode::FORBIDDEN,
            c if c == ErrorCode::Internal.as_str() => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// The request never ran: it failed to parse, validate, or pass a check, so it has no data.
/// (An error during execution has a path, even when it nulls the whole `data`.)
pub fn is_request_error(response: &Response) -> bool {
    response.data == Value::Null && !response.errors.is_empty() && response.errors.iter().all(|e| e.path.is_empty())
}

/// The response as JSON, without the `data` entry when the request never ran. It is written
/// straight from the engine's values: every object keeps the order of its selection set, as the
/// GraphQL specification asks, and a large answer is not copied into a second tree first.
#[derive(Serialize)]
pub struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, Value>,
}

pub fn body(response: &Response) -> Body<'_> {
    Body {
        data: (!is_request_error(response)).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    }
}

/// The media type the client prefers among those served; `None` when it accepts neither.
/// A type named outright beats a wildcard; `*/*` alone, or no `Accept`, means `application/json`.
pub fn negotiate(http: &HttpRequest) -> Option<Media> {
    if !http.headers().contains_key(header::ACCEPT) {
        return Some(Media::Json);
    }
    let Ok(accept) = Accept::parse(http) else {
        return Some(Media::Json);
    };
    let mut best: Option<((Quality, u8, u8), Media)> = None;
    let served =
        [(Media::GraphqlResponse, "application/graphql-response+json", 1), (Media::Json, "application/json", 0)];
    for (media, essence, preference) in served {
        // The most specific range that matches decides the quality of this type (RFC 9110 §12.5.1).
        let matched = accept
            .iter()
            .filter_map(|item| {
                let specificity = match item.item.essence_str() {
                    "*/*" => 0,
                    "application/*" => 1,
                    range if range.eq_ignore_ascii_case(essence) => 2,
                    _ => return None,
                };
                Some((specificity, item.quality))
            })
            .max_by_key(|(specificity, _)| *specificity);
        let Some((specificity, quality)) = matched else { continue };
        if quality == Quality::ZERO {
            continue;
        }
        // On a tie, a type named outright prefers graphql-response+json; a wildcard, application/json.
        let tie_break = if specificity == 2 { preference } else { 1 - preference };
        let key = (quality, specificity, tie_break);
        if best.is_none_or(|(k, _)| key > k) {
            best = Some((key, media));
        }
    }
    best.map(|(_, media)| media)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn with_accept(accept: Option<&str>) -> Option<Media> {
        let mut request = TestRequest::default();
        if let Some(accept) = accept {
            request = request.insert_header(("accept", accept));
        }
        negotiate(&request.to_http_request())
    }

    #[test]
    fn the_client_gets_what_it_prefers() {
        assert_eq!(with_accept(None), Some(Media::Json));
        assert_eq!(with_accept(Some("*/*")), Some(Media::Json));
        assert_eq!(with_accept(Some("application/json")), Some(Media::Json));
        assert_eq!(with_accept(Some("application/graphql-response+json")), Some(Media::GraphqlResponse));
        assert_eq!(
            with_accept(Some("application/graphql-response+json, application/json;q=0.9")),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(
            with_accept(Some("application/json, application/graphql-response+json")),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(with_accept(Some("application/graphql-response+json;q=0.5, application/json")), Some(Media::Json));
        assert_eq!(with_accept(Some("application/json;q=0, */*")), Some(Media::GraphqlResponse));
        assert_eq!(with_accept(Some("text/html")), None);
        assert_eq!(with_accept(Some("text/html, */*;q=0.1")), Some(Media::Json));
    }
}
