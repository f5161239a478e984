//! All SQL of the service. Every statement goes through a [`Counted`] connection, so a request can
//! report how many statements it cost (`X-Directives-Debug: sql`) and tests can hold that number fixed.

mod agencies;
mod assignments;
mod audit;
mod bulk;
mod cascade;
mod changes;
mod connect;
mod documents;
mod extensions;
pub mod hierarchy;
mod idempotency;
mod lineage;
mod locks;
mod memo;
mod page;
mod rate_limits;
mod reorganize;
mod reports;
mod responsibility;
mod rollups;
mod search;
mod sql;
mod status;
mod task_links;
mod tasks;
mod upserts;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

pub use agencies::{AgencyChanges, AgencyQuery, NewAgency, agency_model};
pub use assignments::{AssignmentChanges, NewAssignment, assignment_model};
pub use audit::{AuditContext, AuditQuery};
pub use changes::{ChangeScope, FeedPage, FeedSignal, listen_for_changes};
pub use connect::{connect, migrate, pending_migrations};
pub use documents::{Direction, DocumentChanges, DocumentQuery, NewDocument, document_model};
pub use extensions::NewExtension;
pub use hierarchy::Subject;
pub use lineage::{Lineage, LineageSpec};
pub use memo::ReadMemo;
pub use page::{Page, PageRequest, Window};
pub use reorganize::{Reorganisation, Reorganised};
pub use reports::{NewReport, ReportChanges, report_model};
pub use responsibility::Responsibility;
pub use rollups::{Coverage, ProgressSpec, Rollup, RollupOf, RollupValue, StatusCounts};
pub use search::{Hit, Hits, SearchKind};
pub use tasks::{NewTask, NewTaskGroup, TaskChanges, TaskGroupChanges, TaskParent, TaskQuery, task_model};
pub use upserts::Target;

use crate::error::Result;

/// Rows grouped by the key of what they belong to, each group in the rows' order.
pub(crate) fn group_by<T>(
    rows: Vec<T>,
    key: impl Fn(&T) -> uuid::Uuid,
) -> std::collections::HashMap<uuid::Uuid, Vec<T>> {
    let mut out: std::collections::HashMap<uuid::Uuid, Vec<T>> = std::collections::HashMap::new();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    out
}

/// Wraps a connection or transaction and counts the statements sent through it.
pub struct Counted<C> {
    inner: C,
    count: Arc<AtomicUsize>,
}

impl<C> Counted<C> {
    fn tick(&self, sql: &str) {
        let n = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(target: "directives::sql", n, sql);
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + Send + Sync> ConnectionTrait for Counted<C> {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.tick(&stmt.sql);
        self.inner.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.tick(sql);
        self.inner.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.tick(&stmt.sql);
        self.inner.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.tick(&stmt.sql);
        self.inner.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }
}

/// The data access of one request (or one command): a pooled connection plus the statement count.
#[derive(Clone)]
pub struct Store {
    db: Arc<Counted<DatabaseConnection>>,
    /// Told of every commit that added to the change feed, for live subscribers in this process.
    signal: Option<FeedSignal>,
    /// Answers about cascades remembered across the requests of a serving process.
    memo: Option<Arc<ReadMemo>>,
}

/// Rows per multi-row INSERT: at most 11 values each, well under every backend's limit of bound values.
const ROWS_PER_STATEMENT: usize = 1000;

/// A write transaction that records what it changes for the audit trail. Dropping it without
/// [`Tx::commit`] rolls everything back.
pub struct Tx {
    conn: Counted<DatabaseTransaction>,
    audit: AuditContext,
    changes: std::sync::Mutex<Vec<audit::Change>>,
    /// The newest feed sequence this transaction has taken.
    last_sequence: std::sync::Mutex<Option<i64>>,
    signal: Option<FeedSignal>,
}

impl Tx {
    /// Writes the audit records of every change made, then commits it all at once.
    pub async fn commit(self) -> Result<()> {
        let last = self.write_records().await?;
        let signal = self.signal.clone();
        self.conn.inner.commit().await?;
        if let (Some(signal), Some(last)) = (signal, last) {
            signal.notify(last);
        }
        Ok(())
    }

    /// Writes the search entries, audit records and feed entries of the changes made since the
    /// last call, and returns the newest feed sequence taken. A transaction that writes a great
    /// many rows calls it now and then, so as not to hold every change in memory until the commit.
    pub async fn write_records(&self) -> Result<Option<i64>> {
        let changes = self.take_changes();
        self.reindex(&changes).await?;
        // Chunked: a statement may bind only so many values (32,766 on SQLite).
        for chunk in self.audit_rows(&changes).chunks(ROWS_PER_STATEMENT) {
            entity::audit_log::Entity::insert_many(chunk.to_vec()).exec(self).await?;
        }
        // Last, so that the feed's lock is held only from here to the commit.
        let last = self.append_to_feed(&changes).await?;
        let mut newest = self.last_sequence.lock().map_err(crate::error::Error::internal)?;
        *newest = last.or(*newest);
        Ok(*newest)
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Tx {
    fn get_database_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.conn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.conn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.conn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.conn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.conn.support_returning()
    }
}

impl Store {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db: Arc::new(Counted { inner: db, count: Arc::default() }), signal: None, memo: None }
    }

    /// A store whose commits wake this process's feed subscribers.
    pub fn with_signal(db: DatabaseConnection, signal: FeedSignal) -> Self {
        Self { signal: Some(signal), ..Self::new(db) }
    }

    /// The same store, answering lineage and rollups from `memo` where they are still true.
    pub fn with_memo(self, memo: Arc<ReadMemo>) -> Self {
        Self { memo: Some(memo), ..self }
    }

    fn memo(&self) -> Option<&ReadMemo> {
        self.memo.as_deref()
    }

    /// The signal that wakes this process's live subscribers, if the store has one.
    pub fn feed_signal(&self) -> Option<&FeedSignal> {
        self.signal.as_ref()
    }

    /// Statements executed so far through this store and its transactions.
    pub fn statements(&self) -> usize {
        self.db.count.load(Ordering::Relaxed)
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    pub(crate) fn conn(&self) -> &Counted<DatabaseConnection> {
        &self.db
    }

    /// Starts a write transaction on behalf of `audit`. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that checks made inside it (cycles, versions, permissions) cannot be
    /// invalidated by another writer.
    pub async fn begin(&self, audit: AuditContext) -> Result<Tx> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let tx = self.db.inner.begin_with_options(options).await?;
        Ok(Tx {
            conn: Counted { inner: tx, count: self.db.count.clone() },
            audit,
            changes: Default::default(),
            last_sequence: Default::default(),
            signal: self.signal.clone(),
        })
    }

    /// Whether the database answers; used by the readiness probe.
    pub async fn ping(&self) -> Result<()> {
        self.db.inner.ping().await?;
        Ok(())
    }
}
