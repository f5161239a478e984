//! Requests refused before GraphQL runs: the body is a GraphQL response with one coded error,
//! and the code is left on the response for the metrics and the log line.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use crate::error::{ErrorCode, request_error};

/// The code of a refusal, carried in the response's extensions.
#[derive(Debug, Clone, Copy)]
pub struct Refused(pub ErrorCode);

pub fn refusal(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    let mut body = request_error(message);
    for error in &mut body.errors {
        if let Some(ext) = error.extensions.as_mut() {
            ext.set("code", code.as_str());
        }
    }
    let mut response = HttpResponse::build(status).json(body);
    response.extensions_mut().insert(Refused(code));
    response
}
