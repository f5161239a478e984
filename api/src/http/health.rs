//! Probes for orchestrators: alive, and ready to serve.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::app::AppState;
use crate::store::pending_migrations;

/// The process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers and its schema is current.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.store().ping().await.is_err() {
        return HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "database": "unreachable" }));
    }
    match pending_migrations(&state.db).await {
        Ok(pending) if pending.is_empty() => HttpResponse::Ok().json(json!({ "status": "ok" })),
        Ok(pending) => {
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "pendingMigrations": pending }))
        }
        Err(_) => HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "database": "error" })),
    }
}
