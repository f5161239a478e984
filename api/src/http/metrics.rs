//! `GET /metrics`: the Prometheus text exposition. Like the probes it needs no token; expose it
//! only to the monitoring network.

use std::time::Duration;

use actix_web::{HttpResponse, web};

use crate::app::AppState;
use crate::metrics::Snapshot;

/// A scrape must answer even while the database does not: the head of the feed is then left out.
const HEAD_TIMEOUT: Duration = Duration::from_secs(1);

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let (pool_size, pool_idle, pool_max) = pool_stats(&state.db);
    let head = tokio::time::timeout(HEAD_TIMEOUT, state.store().last_sequence()).await;
    let snapshot = Snapshot {
        pool_size,
        pool_idle,
        pool_max,
        feed_head: head.ok().and_then(Result::ok),
        feed_notified: state.feed.latest(),
        ready: state.readiness.is_ready(),
    };
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(state.metrics.render(&snapshot))
}

/// Connections open, idle, and the pool's limit.
fn pool_stats(db: &sea_orm::DatabaseConnection) -> (u32, u32, u32) {
    fn stats<DB: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<DB>) -> (u32, u32, u32) {
        let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
        (pool.size(), idle, pool.options().get_max_connections())
    }
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => stats(db.get_postgres_connection_pool()),
        _ => stats(db.get_sqlite_connection_pool()),
    }
}
