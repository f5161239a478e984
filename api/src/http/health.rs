//! Probes for orchestrators: alive, and ready to serve.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::app::AppState;
use crate::readiness::Status;

/// The process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers and its schema is current: checked now, which also tells the readiness
/// monitor at once.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.readiness.check().await {
        Status::Ready => HttpResponse::Ok().json(json!({ "status": "ok" })),
        Status::Unreachable => {
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "database": "unreachable" }))
        }
        Status::Stale { pending } => {
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "pendingMigrations": pending }))
        }
    }
}
