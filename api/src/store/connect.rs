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

/// The PostgreSQL advisory lock that one migrating instance holds at a time.
const MIGRATION_LOCK: i64 = 7_212_024_059;

/// Applies every pending migration; returns how many were applied. On PostgreSQL several
/// instances may start at once: each waits for the advisory lock, and those that get it after the
/// first find nothing left to apply.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let lock = MigrationLock::acquire(db).await?;
    let pending = pending_migrations(db).await?.len();
    Migrator::up(db, None).await.context("a migration failed")?;
    // Entities written before the search index existed get their entries.
    super::Store::new(db.clone())
        .index_unindexed()
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("cannot fill the search index")?;
    if let Some(lock) = lock {
        lock.release().await?;
    }
    Ok(pending)
}

/// A session-level advisory lock on a connection of its own, outside the pool, so that the
/// migrations (which use the pool) cannot be starved by it. If the process dies, the session
/// ends and the lock with it.
struct MigrationLock(sea_orm::sqlx::PgConnection);

impl MigrationLock {
    /// The lock on PostgreSQL, once held; `None` on SQLite, which is one instance's file.
    async fn acquire(db: &DatabaseConnection) -> anyhow::Result<Option<Self>> {
        use sea_orm::sqlx::{ConnectOptions as _, Row as _};
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(None);
        }
        let options = db.get_postgres_connection_pool().connect_options();
        let mut conn = options.connect().await.context("cannot open a connection for the migration lock")?;
        let free: bool = sea_orm::sqlx::query("SELECT pg_try_advisory_lock($1)")
            .bind(MIGRATION_LOCK)
            .fetch_one(&mut conn)
            .await
            .and_then(|row| row.try_get(0))
            .context("cannot take the migration lock")?;
        if !free {
            tracing::info!("another instance is migrating the database: waiting for it to finish");
            sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut conn)
                .await
                .context("cannot take the migration lock")?;
        }
        Ok(Some(Self(conn)))
    }

    async fn release(self) -> anyhow::Result<()> {
        use sea_orm::sqlx::Connection as _;
        let mut conn = self.0;
        sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut conn)
            .await
            .context("cannot release the migration lock")?;
        conn.close().await.context("cannot close the migration lock's connection")?;
        Ok(())
    }
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
