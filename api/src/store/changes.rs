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
use crate::error::Result;

/// Serialises the numbering of changes across every writer of one PostgreSQL database.
const FEED_LOCK: i64 = 7_212_024_058;

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

        if self.get_database_backend() == DbBackend::Postgres {
            self.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({FEED_LOCK})")).await?;
        }
        let last = self
            .query_one_raw(Statement::from_string(
                self.get_database_backend(),
                "SELECT COALESCE(MAX(sequence), 0) AS last FROM change_log",
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "last"))
            .transpose()?
            .unwrap_or(0);

        let now = Utc::now();
        let mut rows = Vec::with_capacity(changes.len());
        let mut concerned = Vec::new();
        for (sequence, change) in (last + 1..).zip(changes) {
            let document = document_of(change, &tasks);
            rows.push(change_log::ActiveModel {
                sequence: Set(sequence),
                entity_type: Set(change.entity_type.to_owned()),
                entity_id: Set(change.entity_id),
                operation: Set(if change.after.is_some() { "UPSERT" } else { "DELETE" }.to_owned()),
                version: Set(change.after.as_ref().and_then(|a| a.get("version")?.as_i64()).map(|v| v as i32)),
                changed_at: Set(now),
                actor: Set(self.audit.sub.clone()),
                document_id: Set(document),
            });
            let agencies: HashSet<Uuid> = agencies_of(change, &tasks, &issuers).into_iter().collect();
            concerned.extend(
                agencies
                    .into_iter()
                    .map(|agency| change_agency::ActiveModel { agency_id: Set(agency), sequence: Set(sequence) }),
            );
        }
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            change_log::Entity::insert_many(chunk.to_vec()).exec(self).await?;
        }
        for chunk in concerned.chunks(ROWS_PER_STATEMENT) {
            change_agency::Entity::insert_many(chunk.to_vec()).exec(self).await?;
        }
        let last = last + changes.len() as i64;
        if self.get_database_backend() == DbBackend::Postgres {
            // Delivered at commit, to every instance listening on this database (this one included).
            let notify = format!("SELECT pg_notify('{CHANNEL}', '{last}')");
            self.execute_unprepared(&notify).await?;
        }
        Ok(Some(last))
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
        let stmt = Statement::from_string(self.backend(), "SELECT COALESCE(MAX(sequence), 0) AS last FROM change_log");
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
