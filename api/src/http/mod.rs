//! The HTTP surface. [`routes`] is the one place that lists every route.

mod auth;
mod cascade;
mod gate;
mod graphiql;
mod graphql;
mod health;
mod metrics;
mod negotiate;
mod refusal;
pub mod requests;
mod wire;
mod ws;

use actix_web::middleware::from_fn;
use actix_web::{guard, web};

/// Every route the service answers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .wrap(from_fn(gate::refuse_unless_ready))
            .route(web::post().to(graphql::post))
            // A WebSocket upgrade speaks graphql-transport-ws; any other GET is a query or the explorer.
            .route(web::get().guard(guard::Header("upgrade", "websocket")).to(ws::start))
            .route(web::get().to(graphql::get)),
    )
    .route("/graphiql/assets/{file}", web::get().to(graphiql::asset))
    .route("/cascade/assets/{file}", web::get().to(cascade::asset))
    .route("/cascade/{id}", web::get().to(cascade::page))
    // Browsers ask for it on every page; an empty answer keeps their consoles clean.
    .route("/favicon.ico", web::get().to(actix_web::HttpResponse::NoContent))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(metrics::metrics));
}

pub use graphql::DEBUG_HEADER;
