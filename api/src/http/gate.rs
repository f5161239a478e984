//! While this instance is not ready (its database away, or its schema not current), GraphQL
//! requests are refused at once with 503 and `Retry-After`, instead of each waiting for a
//! database connection that will not come. The readiness monitor lifts the refusal by itself.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use super::refusal::refusal;
use crate::app::AppState;
use crate::error::ErrorCode;
use crate::readiness::Status;

/// Seconds a refused client should wait: about two checks of the monitor.
const RETRY_AFTER_SECONDS: &str = "2";

pub async fn refuse_unless_ready(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let status = req.app_data::<web::Data<AppState>>().map_or(Status::Ready, |state| state.readiness.status());
    if status != Status::Ready {
        let mut response = refusal(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Internal, &status.message());
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}
