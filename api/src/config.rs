//! Settings from flags and environment variables (`DIRECTIVES_…`, and `DATABASE_URL`).

use std::time::Duration;

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

    /// The largest file a multipart upload (`importTasks`) may carry, in bytes.
    #[arg(long, env = "DIRECTIVES_MAX_UPLOAD_BYTES", default_value_t = DEFAULT_MAX_UPLOAD_BYTES)]
    pub max_upload_bytes: usize,
    /// Answers about cascades (lineage, progress, per-agency progress, performance, coverage) and
    /// pages of search results remembered until the next commit, of each kind; 0 computes every
    /// one afresh.
    #[arg(long, env = "DIRECTIVES_CASCADE_CACHE", default_value_t = DEFAULT_CASCADE_CACHE)]
    pub cascade_cache: usize,
    /// After SIGTERM, how long requests in flight may take to finish before their connections are closed.
    #[arg(long, env = "DIRECTIVES_SHUTDOWN_GRACE", default_value = "30s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,

    #[command(flatten)]
    pub auth: AuthSettings,

    #[command(flatten)]
    pub limits: LimitSettings,

    #[command(flatten)]
    pub exposure: ExposureSettings,
}

/// Answers remembered of each kind: the dashboards of every province and ministry, at a few hundred
/// KiB at most each (a national cascade's per-agency table).
pub const DEFAULT_CASCADE_CACHE: usize = 1_000;

/// 10 MiB: a plan of thousands of tasks is a fraction of that.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Everything [`crate::app::Application::build`] needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub bind: String,
    pub migrate: bool,
    pub seed_sample: bool,
    pub public_read: bool,
    pub max_upload_bytes: usize,
    /// Answers about cascades remembered until the next commit, of each kind (0: none).
    pub cascade_cache: usize,
    /// How long requests in flight may take to finish once a shutdown begins.
    pub shutdown_grace: Duration,
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
            max_upload_bytes: serve.max_upload_bytes,
            cascade_cache: serve.cascade_cache,
            shutdown_grace: serve.shutdown_grace,
            auth: serve.auth,
            limits: serve.limits,
            exposure: serve.exposure,
            database,
        }
    }
}

/// Durations in flags and variables: a whole number and a unit, as in `90s`, `15m`, `1h`, `7d`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let usage = || format!("`{s}` is not a duration; write a whole number and a unit, as in 90s, 15m, 1h or 7d");
    let trimmed = s.trim();
    let split = trimmed.len().checked_sub(1).filter(|&i| trimmed.is_char_boundary(i)).ok_or_else(usage)?;
    let (number, unit) = trimmed.split_at(split);
    let unit_seconds: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 60 * 60,
        "d" => 24 * 60 * 60,
        _ => return Err(usage()),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(usage());
    }
    let count: u64 = number.parse().map_err(|_| format!("`{s}` is too long a duration"))?;
    let seconds = count.checked_mul(unit_seconds).ok_or_else(|| format!("`{s}` is too long a duration"))?;
    Ok(Duration::from_secs(seconds))
}
