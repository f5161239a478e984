//! Opening the database and applying migrations: operator paths, whose errors keep their cause.

use std::time::Duration;

use anyhow::{Context, bail};
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};

/// Connects to SQLite or PostgreSQL, whichever the URL names.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // WAL lets readers go on while one writer commits; writers queue on the busy timeout.
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
        });
    let db = Database::connect(options).await.with_context(|| format!("cannot open the database {}", redact(url)))?;
    if db.get_database_backend() == DbBackend::MySql {
        bail!("MySQL is not supported: use an sqlite:// or postgres:// DATABASE_URL");
    }
    Ok(db)
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Applies every pending migration; returns how many were applied.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let pending = pending_migrations(db).await?.len();
    Migrator::up(db, None).await.context("a migration failed")?;
    // Entities written before the search index existed get their entries.
    super::Store::new(db.clone())
        .index_unindexed()
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("cannot fill the search index")?;
    Ok(pending)
}

/// The names of migrations not yet applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> anyhow::Result<Vec<String>> {
    let pending = Migrator::get_pending_migrations_read_only(db).await.context("cannot read the migration state")?;
    Ok(pending.iter().map(|m| m.name().to_owned()).collect())
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(redact("postgres://app:s3cret@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(redact("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(redact("sqlite://directives.db?mode=rwc"), "sqlite://directives.db?mode=rwc");
    }
}
