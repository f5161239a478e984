//! Whether this instance can serve: the database answers and its schema is current. A monitor
//! checks every second, so that while the database is away requests are refused at once (503)
//! instead of each waiting for a connection, and are served again as soon as it is back.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::store::pending_migrations;

/// How often the monitor checks.
const INTERVAL: Duration = Duration::from_secs(1);
/// A check that takes longer counts as a failure: a database that slow cannot serve requests
/// either, and the pool would otherwise keep retrying for its whole acquire timeout.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Ready,
    /// The database does not answer (or answers too slowly).
    Unreachable,
    /// The database answers, but migrations this binary needs are not applied.
    Stale {
        pending: Vec<String>,
    },
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
pub struct Readiness(Arc<RwLock<Status>>);

impl Readiness {
    /// Starts ready: the service checks its database before it starts to listen.
    pub fn new() -> Self {
        Self(Arc::new(RwLock::new(Status::Ready)))
    }

    pub fn status(&self) -> Status {
        self.0.read().map(|s| s.clone()).unwrap_or(Status::Unreachable)
    }

    pub fn is_ready(&self) -> bool {
        self.0.read().is_ok_and(|s| *s == Status::Ready)
    }

    /// Checks the database now and records the result.
    pub async fn check(&self, db: &DatabaseConnection) -> Status {
        let status = check(db).await;
        self.set(status.clone());
        status
    }

    fn set(&self, status: Status) {
        let Ok(mut current) = self.0.write() else { return };
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
    pub fn spawn_monitor(&self, db: DatabaseConnection) {
        let readiness = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(INTERVAL).await;
                readiness.check(&db).await;
            }
        });
    }
}

impl Default for Readiness {
    fn default() -> Self {
        Self::new()
    }
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
