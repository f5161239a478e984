//! Building the running service from settings: database, schema, HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::{Context as _, bail};
use async_graphql::http::MultipartOptions;
use sea_orm::DatabaseConnection;

use crate::auth::Verifier;
use crate::config::Settings;
use crate::domain::policy::Role;
use crate::error::Error;
use crate::graphql::gate::Gate;
use crate::graphql::guard::Guard;
use crate::graphql::serving_schema;
use crate::metrics::Metrics;
use crate::readiness::Readiness;
use crate::shutdown::{self, Shutdown};
use crate::store::{self, FeedSignal, ReadMemo, Store};
use crate::{http, seed};

/// What every request handler shares.
pub struct AppState {
    pub db: DatabaseConnection,
    /// The schema behind the checks every operation passes.
    pub schema: Gate,
    pub verifier: Verifier,
    pub public_read: bool,
    /// In development mode, an ADMIN token that GraphiQL starts with.
    pub development_token: Option<String>,
    /// Wakes the live change subscribers of this process.
    pub feed: FeedSignal,
    pub metrics: Metrics,
    pub readiness: Readiness,
    pub shutdown: Shutdown,
    /// The limits and exposure settings that every request is checked against.
    pub guard: Arc<Guard>,
    /// Lineage and rollups still true since the last commit, shared by every request.
    pub memo: Arc<ReadMemo>,
}

impl AppState {
    /// The data access of one request or connection.
    pub fn store(&self) -> Store {
        Store::with_signal(self.db.clone(), self.feed.clone()).with_memo(self.memo.clone())
    }
}

pub struct Application {
    port: u16,
    server: Server,
    development_token: Option<String>,
    shutdown: Shutdown,
}

/// How long the token printed in development mode lasts.
const DEVELOPMENT_TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// The configured verifier or, when no key is configured, a development key and an ADMIN token for it.
fn verifier(settings: &Settings) -> anyhow::Result<(Verifier, Option<String>)> {
    if let Some(verifier) = Verifier::from_settings(&settings.auth)? {
        return Ok((verifier, None));
    }
    let (verifier, minter) =
        Verifier::development(settings.auth.jwt_issuer.clone(), settings.auth.jwt_audience.clone());
    let token = minter.mint("developer", &[Role::Admin], None, DEVELOPMENT_TOKEN_TTL)?;
    Ok((verifier, Some(token)))
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
        let (verifier, development_token) = verifier(settings)?;
        let guard = Arc::new(Guard::new(settings.limits.clone(), &settings.exposure)?);
        let feed = FeedSignal::default();
        // Other instances commit to the same PostgreSQL: their changes are announced there.
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            tokio::spawn(store::listen_for_changes(settings.database.database_url.clone(), feed.clone()));
        }
        let metrics = Metrics::new();
        let readiness = Readiness::new(&db).await?;
        readiness.spawn_monitor();
        let shutdown = Shutdown::default();
        let state = web::Data::new(AppState {
            db,
            schema: serving_schema(metrics.clone(), guard.clone()),
            verifier,
            public_read: settings.public_read,
            development_token: development_token.clone(),
            feed,
            metrics,
            readiness,
            shutdown: shutdown.clone(),
            guard,
            memo: Arc::new(ReadMemo::new(settings.cascade_cache)),
        });
        // One file per multipart request, capped: the GraphQL request extractor reads these options.
        let uploads = MultipartOptions::default().max_file_size(settings.max_upload_bytes).max_num_files(1);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(uploads)
                .wrap(from_fn(http::requests::observe))
                .configure(http::routes)
        })
        // The service handles the signals itself, to close WebSockets before the workers stop.
        .disable_signals()
        .shutdown_timeout(settings.shutdown_grace.as_secs())
        .listen(listener)?
        .run();
        Ok(Self { port, server, development_token, shutdown })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The ADMIN token of development mode; `None` when keys are configured.
    pub fn development_token(&self) -> Option<&str> {
        self.development_token.as_deref()
    }

    /// Serves until SIGTERM or SIGINT, then stops gracefully (see [`crate::shutdown`]).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let shutdown = self.shutdown;
        tokio::spawn(async move {
            let signal = shutdown::signal().await;
            tracing::info!(signal, "stopping: no new connections; requests in flight may finish");
            shutdown.begin();
            handle.stop(true).await;
        });
        self.server.await?;
        tracing::info!("stopped");
        Ok(())
    }
}
