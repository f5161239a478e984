//! Around every request: its id (the client's `X-Request-Id` when it is a sensible one, else a
//! new one), echoed in the response; its HTTP metrics; and its one log line, which says who
//! asked for what and how it went, and never carries a header, a variable or the query text (so
//! no token or password).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};

use super::refusal::Refused;
use crate::app::AppState;
use crate::metrics::{Metrics, Outcome};
use crate::telemetry::request;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Orchestrators and scrapers call these every few seconds: their lines are debug-level so that
/// they do not drown the rest.
const QUIET_ROUTES: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// The id under which a request is logged, audited and answered.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    /// The client's `X-Request-Id` when it is short printable ASCII, otherwise a new UUID.
    pub fn of(headers: &HeaderMap) -> Self {
        let id = headers
            .get(X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
        Self(id)
    }
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = RequestId::of(req.headers());
    req.extensions_mut().insert(id.clone());
    let metrics = req.app_data::<web::Data<AppState>>().map(|state| state.metrics.clone());
    let method = req.method().to_string();
    let path = req.path().to_owned();
    // The route's pattern, not the path: one series per route, whatever clients send.
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let started = Instant::now();
    let in_flight = metrics.as_ref().map(Metrics::request_started);
    let (mut result, operations) = request::scope(next.call(req)).await;
    let duration = started.elapsed();
    drop(in_flight);

    let (status, refused) = match &result {
        Ok(res) => (res.status(), res.response().extensions().get::<Refused>().map(|r| r.0)),
        Err(e) => (e.as_response_error().status_code(), None),
    };
    if let (Ok(res), Ok(value)) = (&mut result, HeaderValue::from_str(&id.0)) {
        res.headers_mut().insert(X_REQUEST_ID, value);
    }
    if let Some(metrics) = &metrics {
        metrics.observe_http(&method, &route, status.as_u16(), duration);
        if let Some(code) = refused {
            metrics.observe_errors(&[code.as_str()]);
        }
    }

    let failed = status.is_client_error()
        || status.is_server_error()
        || operations.iter().any(|op| op.outcome == Outcome::Error);
    let outcome = if failed { Outcome::Error } else { Outcome::Ok }.as_str();
    let mut codes: Vec<&str> = operations
        .iter()
        .flat_map(|op| op.error_codes.iter().map(String::as_str))
        .chain(refused.map(|code| code.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let error_codes = (!codes.is_empty()).then(|| codes.join(","));
    let joined = |f: &dyn Fn(&request::Operation) -> &str| {
        (!operations.is_empty()).then(|| operations.iter().map(f).collect::<Vec<_>>().join(","))
    };
    let operation = joined(&|op| op.name.as_deref().unwrap_or("anonymous"));
    let operation_type = joined(&|op| op.kind);
    let sql_statements = (!operations.is_empty()).then(|| operations.iter().map(|op| op.sql_statements).sum::<usize>());
    // Milliseconds with microseconds: enough to tell requests apart without float noise.
    let duration_ms = (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0;

    macro_rules! log_line {
        ($level:ident) => {
            tracing::$level!(
                target: "directives::request",
                request_id = %id.0,
                method = %method,
                path = %path,
                status = status.as_u16(),
                duration_ms,
                outcome,
                operation = operation.as_deref(),
                operation_type = operation_type.as_deref(),
                error_codes = error_codes.as_deref(),
                sql_statements,
                "request"
            )
        };
    }
    if QUIET_ROUTES.contains(&route.as_str()) {
        log_line!(debug);
    } else if status.is_server_error() {
        log_line!(warn);
    } else {
        log_line!(info);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_for(value: &str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(X_REQUEST_ID, HeaderValue::from_str(value).unwrap());
        RequestId::of(&headers).0
    }

    #[test]
    fn a_sensible_client_id_is_kept_and_any_other_replaced() {
        assert_eq!(id_for("  abc-123 "), "abc-123");
        for bad in ["", "two words", &"x".repeat(129)] {
            let id = id_for(bad);
            assert!(uuid::Uuid::parse_str(&id).is_ok(), "{bad:?} gave {id}");
        }
        assert!(uuid::Uuid::parse_str(&RequestId::of(&HeaderMap::new()).0).is_ok());
    }
}
