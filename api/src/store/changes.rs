//! The change feed. Each transaction appends its changes when it commits, numbered in commit
//! order: on PostgreSQL the numbers are taken under a transaction-scoped advisory lock held until
//! the commit, so a reader that has seen number 42 has already been able to see 41 (no gaps);
//! SQLite's write transactions are serial anyway.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{change_agency, change_log};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, Set, Statement, Value};
use uuid::Uuid;

use super::audit::Change;
use super::{ROWS_PER_STATEMENT, Store, Tx};
use crate::error::{Error, Result};

/// Serialises the numbering of changes across every writer of one PostgreSQL database.
const FEED_LOCK: i64 = 7_212_024_058;

/// The newest sequence in the feed, as `last`.
const LAST_SEQUENCE: &str = "SELECT COALESCE(MAX(sequence), 0) AS last FROM change_log";

/// The PostgreSQL channel on which commits announce their last sequence.
const CHANNEL: &str = "directives_changes";

/// The newest sequence this process knows to be committed; live subscribers wait on it.
#[derive(Clone)]
pub struct FeedSignal(std::sync::Arc<tokio::sync::watch::Sender<i64>>);

impl Default for FeedSignal {
    fn default() -> Self {
        Self(std::sync::Arc::new(tokio::sync::watch::channel(0).0))
    }
}

impl FeedSignal {
    pub fn notify(&self, sequence: i64) {
        self.0.send_modify(|latest| *latest = (*latest).max(sequence));
    }

    /// Wakes every subscriber so that it reads the log again (after the listener reconnected).
    pub fn wake_all(&self) {
        self.0.send_modify(|_| {});
    }

    /// The newest sequence this process has been told of.
    pub fn latest(&self) -> i64 {
        *self.0.borrow()
    }

    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<i64> {
        self.0.subscribe()
    }
}

/// Forwards the commits announced on PostgreSQL (by any instance) to `signal`, reconnecting when
/// the connection drops; after each (re)connection subscribers read the log, so nothing is missed.
pub async fn listen_for_changes(url: String, signal: FeedSignal) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        match PgListener::connect(&url).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "cannot listen for committed changes; retrying");
                } else {
                    signal.wake_all();
                    loop {
                        match listener.recv().await {
                            Ok(note) => match note.payload().parse::<i64>() {
                                Ok(sequence) => signal.notify(sequence),
                                Err(_) => signal.wake_all(),
                            },
                            Err(e) => {
                                tracing::warn!(error = %e, "lost the change listener; reconnecting");
                                break;
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot connect the change listener; retrying"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Which changes a follower wants.
#[derive(Debug, Clone, Default)]
pub struct ChangeScope {
    /// Changes concerning this agency (as issuer, presiding or coordinating agency).
    pub agency_id: Option<Uuid>,
    /// Changes of this document and of everything under it (documents that implement it, transitively).
    pub document_id: Option<Uuid>,
    /// Only these entity types (`Task`, `Document`, …); all when empty.
    pub entity_types: Vec<&'static str>,
}

pub struct FeedPage {
    pub changes: Vec<change_log::Model>,
    pub has_next: bool,
}

/// A feed entry before it has its sequence: `offset` counts from 1 within the transaction.
struct Entry {
    offset: i64,
    entity_type: &'static str,
    entity_id: Uuid,
    operation: &'static str,
    version: Option<i32>,
    document: Option<Uuid>,
}

/// What the feed needs to know of a task that a transaction touched.
#[derive(Default)]
struct TaskFacts {
    document: Option<Uuid>,
    agencies: Vec<Uuid>,
}

impl Tx {
    /// Appends `changes` to the feed with the agencies each concerns, and returns the last sequence
    /// taken. Runs last before the commit.
    pub(super) async fn append_to_feed(&self, changes: &[Change]) -> Result<Option<i64>> {
        if changes.is_empty() {
            return Ok(None);
        }
        let tasks = self.task_facts(changes).await?;
        let documents: Vec<Uuid> = changes
            .iter()
            .flat_map(|c| [document_of(c, &tasks), c.uuid("to_id")])
            .flatten()
            .chain(tasks.values().filter_map(|t| t.document))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let issuers = self.issuers(&documents).await?;

        // Numbered from 1 within this transaction; the feed's last sequence is added under the lock.
        let mut entries = Vec::with_capacity(changes.len());
        let mut concerned = Vec::new();
        for (offset, change) in (1..).zip(changes) {
            entries.push(Entry {
                offset,
                entity_type: change.entity_type,
                entity_id: change.entity_id,
                operation: if change.after.is_some() { "UPSERT" } else { "DELETE" },
                version: change.after.as_ref().and_then(|a| a.get("version")?.as_i64()).map(|v| v as i32),
                document: document_of(change, &tasks),
            });
            let agencies: HashSet<Uuid> = agencies_of(change, &tasks, &issuers).into_iter().collect();
            concerned.extend(agencies.into_iter().map(|agency| (offset, agency)));
        }
        let count = changes.len() as i64;
        let postgres = self.get_database_backend() == DbBackend::Postgres;
        if postgres {
            self.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({FEED_LOCK})")).await?;
            if let Some(stmt) = self.numbered_append(&entries, &concerned, count) {
                let last = self.query_one_raw(stmt).await?.map(|row| row.try_get::<i64>("", "last")).transpose()?;
                let last = last.ok_or_else(|| Error::internal("the feed's append returned no row"))?;
                return Ok(Some(last + count));
            }
        }
        let last = self.last_sequence_in_tx().await?;
        self.insert_entries(last, &entries, &concerned).await?;
        if postgres {
            // Delivered at commit, to every instance listening on this database (this one included).
            self.execute_unprepared(&format!("SELECT pg_notify('{CHANNEL}', '{}')", last + count)).await?;
        }
        Ok(Some(last + count))
    }

    /// The newest sequence this transaction can see. On PostgreSQL it runs after the lock is taken,
    /// as a statement of its own, so that its snapshot holds the previous holder's commit.
    async fn last_sequence_in_tx(&self) -> Result<i64> {
        let stmt = Statement::from_string(self.get_database_backend(), LAST_SEQUENCE);
        Ok(self.query_one_raw(stmt).await?.map(|row| row.try_get::<i64>("", "last")).transpose()?.unwrap_or(0))
    }

    /// Inserts the entries numbered after `last`, in statements of bounded size.
    async fn insert_entries(&self, last: i64, entries: &[Entry], concerned: &[(i64, Uuid)]) -> Result<()> {
        let now = Utc::now();
        let rows: Vec<change_log::ActiveModel> = entries
            .iter()
            .map(|e| change_log::ActiveModel {
                sequence: Set(last + e.offset),
                entity_type: Set(e.entity_type.to_owned()),
                entity_id: Set(e.entity_id),
                operation: Set(e.operation.to_owned()),
                version: Set(e.version),
                changed_at: Set(now),
                actor: Set(self.audit.sub.clone()),
                document_id: Set(e.document),
            })
            .collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            change_log::Entity::insert_many(chunk.to_vec()).exec(self).await?;
        }
        let concerned: Vec<change_agency::ActiveModel> = concerned
            .iter()
            .map(|&(offset, agency)| change_agency::ActiveModel {
                agency_id: Set(agency),
                sequence: Set(last + offset),
            })
            .collect();
        for chunk in concerned.chunks(ROWS_PER_STATEMENT) {
            change_agency::Entity::insert_many(chunk.to_vec()).exec(self).await?;
        }
        Ok(())
    }

    /// PostgreSQL: everything the feed's lock guards, in one statement: the last sequence, the
    /// entries numbered after it, the agencies they concern, and the announcement, delivered at
    /// commit to every listening instance. The lock is held from here to the commit, so each round
    /// trip saved is time every other writer no longer waits. `None` when the entries are too
    /// many to bind in one statement.
    fn numbered_append(&self, entries: &[Entry], concerned: &[(i64, Uuid)], count: i64) -> Option<Statement> {
        if entries.len() > ROWS_PER_STATEMENT || concerned.len() > ROWS_PER_STATEMENT {
            return None;
        }
        let mut values: Vec<Value> = vec![Utc::now().into(), self.audit.sub.clone().into()];
        let mut bind = |value: Value| {
            values.push(value);
            format!("${}", values.len())
        };
        let rows = entries
            .iter()
            .map(|e| {
                format!(
                    "({}::bigint, {}, {}, {}, {}::integer, {})",
                    bind(e.offset.into()),
                    bind(e.entity_type.into()),
                    bind(e.entity_id.into()),
                    bind(e.operation.into()),
                    bind(e.version.into()),
                    bind(e.document.into())
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let agencies = concerned
            .iter()
            .map(|&(offset, agency)| format!("({}::bigint, {})", bind(offset.into()), bind(agency.into())))
            .collect::<Vec<_>>()
            .join(", ");
        let concerned_insert = if concerned.is_empty() {
            String::new()
        } else {
            format!(
                ", concerned AS (INSERT INTO change_agency (agency_id, sequence) \
                 SELECT v.agency, last.n + v.k FROM last, (VALUES {agencies}) AS v(k, agency))"
            )
        };
        let sql = format!(
            "WITH last AS (SELECT COALESCE(MAX(sequence), 0) AS n FROM change_log), \
             entries AS (INSERT INTO change_log \
             (sequence, entity_type, entity_id, operation, version, changed_at, actor, document_id) \
             SELECT last.n + v.k, v.t, v.e, v.o, v.v, $1, $2, v.d FROM last, (VALUES {rows}) AS v(k, t, e, o, v, d))\
             {concerned_insert} \
             SELECT last.n AS last, pg_notify('{CHANNEL}', (last.n + {count})::text) FROM last"
        );
        Some(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
    }

    /// The document and current agencies of every task the changes touch. One statement.
    async fn task_facts(&self, changes: &[Change]) -> Result<HashMap<Uuid, TaskFacts>> {
        let ids: HashSet<Uuid> = changes
            .iter()
            .flat_map(|c| match c.entity_type {
                "Task" => vec![c.entity_id],
                "TaskRelation" => [c.uuid("from_id"), c.uuid("to_id")].into_iter().flatten().collect(),
                _ => c.uuid("task_id").into_iter().collect(),
            })
            .collect();
        let mut facts: HashMap<Uuid, TaskFacts> = HashMap::new();
        if ids.is_empty() {
            return Ok(facts);
        }
        let (list, values) = placeholders(ids.iter().copied(), 1);
        let sql = format!(
            "SELECT t.id AS task_id, t.document_id, a.agency_id FROM task t \
             LEFT JOIN task_assignment a ON a.task_id = t.id AND a.ended_on IS NULL WHERE t.id IN ({list})"
        );
        #[derive(FromQueryResult)]
        struct Row {
            task_id: Uuid,
            document_id: Uuid,
            agency_id: Option<Uuid>,
        }
        let stmt = Statement::from_sql_and_values(self.get_database_backend(), sql, values);
        for row in Row::find_by_statement(stmt).all(self).await? {
            let entry = facts.entry(row.task_id).or_default();
            entry.document = Some(row.document_id);
            entry.agencies.extend(row.agency_id);
        }
        Ok(facts)
    }

    /// The issuer of each document. One statement.
    async fn issuers(&self, documents: &[Uuid]) -> Result<HashMap<Uuid, Uuid>> {
        if documents.is_empty() {
            return Ok(HashMap::new());
        }
        let (list, values) = placeholders(documents.iter().copied(), 1);
        let sql = format!("SELECT id, issuer_id FROM document WHERE id IN ({list})");
        #[derive(FromQueryResult)]
        struct Row {
            id: Uuid,
            issuer_id: Uuid,
        }
        let stmt = Statement::from_sql_and_values(self.get_database_backend(), sql, values);
        Ok(Row::find_by_statement(stmt).all(self).await?.into_iter().map(|r| (r.id, r.issuer_id)).collect())
    }
}

/// `$n, $n+1, …` for `ids`, and their values.
fn placeholders(ids: impl Iterator<Item = Uuid>, first: usize) -> (String, Vec<Value>) {
    let values: Vec<Value> = ids.map(Value::from).collect();
    let list = (first..first + values.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    (list, values)
}

/// The document an entity belongs to.
fn document_of(change: &Change, tasks: &HashMap<Uuid, TaskFacts>) -> Option<Uuid> {
    match change.entity_type {
        "Document" => Some(change.entity_id),
        "DocumentRelation" => change.uuid("from_id"),
        "TaskRelation" => change.uuid("from_id").and_then(|t| tasks.get(&t)?.document),
        "TaskAssignment" | "ProgressReport" | "DeadlineExtension" => {
            change.uuid("task_id").and_then(|t| tasks.get(&t)?.document)
        }
        _ => change.uuid("document_id"),
    }
}

/// The agencies a change concerns: the issuer of its document, the task's current agencies, and
/// any agency the entity names itself.
fn agencies_of(change: &Change, tasks: &HashMap<Uuid, TaskFacts>, issuers: &HashMap<Uuid, Uuid>) -> Vec<Uuid> {
    let mut agencies: Vec<Uuid> = Vec::new();
    match change.entity_type {
        "Agency" => agencies.push(change.entity_id),
        "Document" => agencies.extend(change.uuid("issuer_id")),
        "DocumentRelation" => {
            for doc in [change.uuid("from_id"), change.uuid("to_id")].into_iter().flatten() {
                agencies.extend(issuers.get(&doc));
            }
        }
        "TaskRelation" => {
            for task in [change.uuid("from_id"), change.uuid("to_id")].into_iter().flatten() {
                if let Some(facts) = tasks.get(&task) {
                    agencies.extend(&facts.agencies);
                    agencies.extend(facts.document.and_then(|d| issuers.get(&d)));
                }
            }
        }
        _ => {
            agencies.extend(change.uuid("agency_id"));
            let task = if change.entity_type == "Task" { Some(change.entity_id) } else { change.uuid("task_id") };
            if let Some(facts) = task.and_then(|t| tasks.get(&t)) {
                agencies.extend(&facts.agencies);
            }
            if let Some(doc) = document_of(change, tasks) {
                agencies.extend(issuers.get(&doc));
            }
        }
    }
    agencies
}

impl Store {
    /// The sequence of the newest change (0 for an empty feed).
    pub async fn last_sequence(&self) -> Result<i64> {
        let stmt = Statement::from_string(self.backend(), LAST_SEQUENCE);
        Ok(self.conn().query_one_raw(stmt).await?.map(|row| row.try_get::<i64>("", "last")).transpose()?.unwrap_or(0))
    }

    /// The changes after `after` in sequence order, within `scope`: at most `limit`. One statement.
    pub async fn list_changes(&self, after: i64, limit: u64, scope: &ChangeScope) -> Result<FeedPage> {
        let mut values: Vec<Value> = vec![after.into()];
        let mut with = String::new();
        let mut conditions = vec!["c.sequence > $1".to_owned()];
        if let Some(document) = scope.document_id {
            values.push(document.into());
            with = format!(
                "WITH RECURSIVE scope_documents(id) AS (SELECT ${n} UNION SELECT r.from_id FROM document_relation r \
                 JOIN scope_documents s ON r.to_id = s.id WHERE r.kind = 'IMPLEMENTS') ",
                n = values.len()
            );
            conditions.push("c.document_id IN (SELECT id FROM scope_documents)".to_owned());
        }
        if let Some(agency) = scope.agency_id {
            values.push(agency.into());
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM change_agency ca WHERE ca.sequence = c.sequence AND ca.agency_id = ${})",
                values.len()
            ));
        }
        if !scope.entity_types.is_empty() {
            let first = values.len() + 1;
            values.extend(scope.entity_types.iter().map(|t| Value::from(*t)));
            let list = (first..=values.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            conditions.push(format!("c.entity_type IN ({list})"));
        }
        values.push(((limit + 1) as i64).into());
        let sql = format!(
            "{with}SELECT c.* FROM change_log c WHERE {} ORDER BY c.sequence LIMIT ${}",
            conditions.join(" AND "),
            values.len()
        );
        let stmt = Statement::from_sql_and_values(self.backend(), sql, values);
        let mut changes = change_log::Model::find_by_statement(stmt).all(self.conn()).await?;
        let has_next = changes.len() as u64 > limit;
        changes.truncate(limit as usize);
        Ok(FeedPage { changes, has_next })
    }
}
