//! The HTTP surface. [`routes`] is the one place that lists every route.

mod auth;
mod graphiql;
mod graphql;
mod health;

use actix_web::web;

/// Every route the service answers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/graphql").route(web::post().to(graphql::post)).route(web::get().to(graphql::get)))
        .route("/graphiql/assets/{file}", web::get().to(graphiql::asset))
        // Browsers ask for it on every page; an empty answer keeps their consoles clean.
        .route("/favicon.ico", web::get().to(actix_web::HttpResponse::NoContent))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz));
}

pub use graphql::DEBUG_HEADER;
