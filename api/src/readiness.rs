//! Whether this instance can serve: the database answers and its schema is current. A monitor
//! checks every second (two failed checks in a row make the database count as away), so that while the database is away requests are refused at once (503)
//! instead of each waiting for a connection, and are served again as soon as it is back.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::{DatabaseConnection, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector};

use crate::store::pending_migrations;

/// How often the monitor checks.
const INTERVAL: Duration = Duration::from_secs(1);
/// How long a check may wait for one of its connections; a refused connection is retried until then.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// A check that takes longer counts as a failure: requests, which wait 10 s for a connection,
/// would be failing by then too.
const CHECK_TIMEOUT: Duration = Duration::from_secs(8);
/// Failed checks in a row before the database counts as away, so that one slow answer under load
/// does not refuse every request.
const FAILURES_BEFORE_UNREACHABLE: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Ready,
    /// The database does not answer (or answers too slowly).
    Unreachable,
    /// The database answers, but migrations this binary needs are not applied.
    Stale { pending: Vec<String> },
}

impl Status {
    /// What a refused client is told.
    pub fn message(&self) -> String {
        match self {
            Self::Ready => "the service is ready".to_owned(),
            Self::Unreachable => "the service cannot reach its database; it serves again as soon as the database \
                                  answers: retry in a few seconds"
                .to_owned(),
            Self::Stale { pending } => format!(
                "the database schema is not current ({} pending migrations); the service serves again once an \
                 operator has run `directives migrate`",
                pending.len()
            ),
        }
    }
}

#[derive(Clone)]
pub struct Readiness {
    status: Arc<RwLock<Status>>,
    /// Failed checks since the last one that succeeded.
    failures: Arc<AtomicU32>,
    /// The checks' own connections: a pool that is busy serving requests must not read as a
    /// database that is away (which would refuse every request just when load is highest).
    probe: DatabaseConnection,
}

impl Readiness {
    /// Starts ready: the service checks its database before it starts to listen. The checks'
    /// connection is opened now, so that a slow first connection under load is not a failure.
    pub async fn new(db: &DatabaseConnection) -> anyhow::Result<Self> {
        let probe = probe_connections(db).await?;
        Ok(Self { status: Arc::default(), failures: Arc::default(), probe })
    }

    pub fn status(&self) -> Status {
        self.status.read().map(|s| s.clone()).unwrap_or(Status::Unreachable)
    }

    pub fn is_ready(&self) -> bool {
        self.status.read().is_ok_and(|s| *s == Status::Ready)
    }

    /// Checks the database now and records the result; returns the status that holds after it.
    pub async fn check(&self) -> Status {
        let observed = check(&self.probe).await;
        if observed == Status::Unreachable {
            let failures = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
            if failures < FAILURES_BEFORE_UNREACHABLE {
                return self.status();
            }
        } else {
            self.failures.store(0, Ordering::Relaxed);
        }
        self.set(observed.clone());
        observed
    }

    fn set(&self, status: Status) {
        let Ok(mut current) = self.status.write() else { return };
        if *current == status {
            return;
        }
        match &status {
            Status::Ready => tracing::info!("the database answers and its schema is current: serving requests again"),
            Status::Unreachable => {
                tracing::warn!("the database does not answer: refusing requests with 503 until it does")
            }
            Status::Stale { pending } => {
                tracing::warn!(?pending, "the database schema is not current: refusing requests with 503")
            }
        }
        *current = status;
    }

    /// Checks every second, for as long as the runtime runs.
    pub fn spawn_monitor(&self) {
        let readiness = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(INTERVAL).await;
                readiness.check().await;
            }
        });
    }
}

/// A pool of one or two connections with the options of the service's pool.
async fn probe_connections(db: &DatabaseConnection) -> anyhow::Result<DatabaseConnection> {
    fn options<DB: sea_orm::sqlx::Database>() -> PoolOptions<DB> {
        PoolOptions::new().max_connections(2).min_connections(1).acquire_timeout(CONNECT_TIMEOUT)
    }
    let probe = match db.get_database_backend() {
        DbBackend::Postgres => {
            let connect = db.get_postgres_connection_pool().connect_options();
            SqlxPostgresConnector::from_sqlx_postgres_pool(options().connect_with((*connect).clone()).await?)
        }
        _ => {
            let connect = db.get_sqlite_connection_pool().connect_options();
            SqlxSqliteConnector::from_sqlx_sqlite_pool(options().connect_with((*connect).clone()).await?)
        }
    };
    Ok(probe)
}

async fn check(db: &DatabaseConnection) -> Status {
    let checked = tokio::time::timeout(CHECK_TIMEOUT, async {
        if db.ping().await.is_err() {
            return Status::Unreachable;
        }
        match pending_migrations(db).await {
            Ok(pending) if pending.is_empty() => Status::Ready,
            Ok(pending) => Status::Stale { pending },
            Err(_) => Status::Unreachable,
        }
    })
    .await;
    checked.unwrap_or(Status::Unreachable)
}
