//! Building the running service from settings: database, schema, HTTP server.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use anyhow::{Context as _, bail};
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::error::Error;
use crate::graphql::{AppSchema, build_schema};
use crate::store::{self, Store};
use crate::{http, seed};

/// What every request handler shares.
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
}

pub struct Application {
    port: u16,
    server: Server,
}

/// Turns a client-facing error into one for the operator's terminal.
pub fn operator_error(err: Error) -> anyhow::Error {
    anyhow::anyhow!(err.message)
}

/// Connects and, as the settings say, migrates and seeds; refuses to serve a stale schema.
pub async fn prepare_database(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let db = store::connect(&settings.database.database_url, settings.database.max_connections).await?;
    if settings.migrate {
        store::migrate(&db).await?;
    } else {
        let pending = store::pending_migrations(&db).await?;
        if !pending.is_empty() {
            bail!(
                "the database schema is not current ({} pending migrations): run `directives migrate` first",
                pending.len()
            );
        }
    }
    if settings.seed_sample {
        let store = Store::new(db.clone());
        if seed::is_empty(&store).await.map_err(operator_error)? {
            let loaded = seed::load_sample(&store).await.map_err(operator_error)?;
            tracing::info!(?loaded, "empty database: loaded the sample hierarchy");
        }
    }
    Ok(db)
}

impl Application {
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let db = prepare_database(settings).await?;
        let listener =
            TcpListener::bind(&settings.bind).with_context(|| format!("cannot listen on {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState { db, schema: build_schema() });
        let server =
            HttpServer::new(move || App::new().app_data(state.clone()).configure(http::routes)).listen(listener)?.run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
