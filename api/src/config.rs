//! Settings from flags and environment variables (`DIRECTIVES_…`, and `DATABASE_URL`).

use clap::Args;

use crate::auth::AuthSettings;
use crate::exposure::ExposureSettings;
use crate::limits::LimitSettings;

/// The embedded default: an SQLite file in the working directory, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://directives.db?mode=rwc";

#[derive(Debug, Clone, Args)]
pub struct DatabaseSettings {
    /// `sqlite://FILE?mode=rwc` or `postgres://USER@HOST/DB` (PostgreSQL 15+).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Connections in the pool.
    #[arg(long, env = "DIRECTIVES_MAX_CONNECTIONS", default_value_t = 10, global = true)]
    pub max_connections: u32,
}

impl DatabaseSettings {
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "DIRECTIVES_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Apply pending migrations at start. Default: yes on SQLite; on PostgreSQL run `directives migrate`.
    #[arg(long, env = "DIRECTIVES_MIGRATE", num_args = 0..=1, default_missing_value = "true")]
    pub migrate: Option<bool>,

    /// Load the sample hierarchy at start when the database is empty. Default: yes on SQLite.
    #[arg(long, env = "DIRECTIVES_SEED_SAMPLE", num_args = 0..=1, default_missing_value = "true")]
    pub seed_sample: Option<bool>,

    /// Let clients without a token read (never write).
    #[arg(long, env = "DIRECTIVES_PUBLIC_READ", num_args = 0..=1, default_missing_value = "true", default_value_t = false)]
    pub public_read: bool,

    #[command(flatten)]
    pub auth: AuthSettings,

    #[command(flatten)]
    pub limits: LimitSettings,

    #[command(flatten)]
    pub exposure: ExposureSettings,
}

/// Everything [`crate::app::Application::build`] needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub bind: String,
    pub migrate: bool,
    pub seed_sample: bool,
    pub public_read: bool,
    /// With no key configured the service runs in development mode: see [`crate::app::Application`].
    pub auth: AuthSettings,
    pub limits: LimitSettings,
    pub exposure: ExposureSettings,
}

impl Settings {
    pub fn new(database: DatabaseSettings, serve: ServeSettings) -> Self {
        let embedded = database.is_sqlite();
        Self {
            bind: serve.bind,
            migrate: serve.migrate.unwrap_or(embedded),
            seed_sample: serve.seed_sample.unwrap_or(embedded),
            public_read: serve.public_read,
            auth: serve.auth,
            limits: serve.limits,
            exposure: serve.exposure,
            database,
        }
    }
}
