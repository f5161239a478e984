//! The audit trail. Every write records the entities it changed on its [`Tx`]; the commit writes
//! them, with who made the change and in which operation, in the same transaction. A transaction
//! that does not commit leaves neither change nor record.

use std::collections::HashMap;

use chrono::Utc;
use entity::{
    agency, agency_event, agency_event_party, agency_name, audit_log, deadline_extension, document, document_relation,
    progress_report, task, task_assignment, task_group, task_relation,
};
use sea_orm::sea_query::IntoColumnRef;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::page::{Page, PageRequest, Window, fetch_page, fetch_windows};
use super::{Store, Tx};
use crate::error::Result;

/// Who is changing data, and through which operation.
#[derive(Debug, Clone, Default)]
pub struct AuditContext {
    pub sub: String,
    pub agency_code: Option<String>,
    pub roles: Vec<String>,
    pub operation: String,
    pub request_id: Option<String>,
    /// A dataset generated for measurement: its rows record no one's decision, so they get no audit
    /// records (they still enter the change feed and the search index).
    pub generated: bool,
}

impl AuditContext {
    /// The service's own commands (`directives seed sample`, start-up seeding).
    pub fn system(operation: &str) -> Self {
        Self { sub: "system".to_owned(), operation: operation.to_owned(), ..Default::default() }
    }

    /// `directives generate`.
    pub fn generated(operation: &str) -> Self {
        Self { generated: true, ..Self::system(operation) }
    }
}

/// One entity changed: created (no `before`), updated, or deleted (no `after`).
#[derive(Debug, Clone)]
pub(super) struct Change {
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    /// The entity as it is now, or as it was before its deletion.
    pub fn latest(&self) -> Option<&serde_json::Value> {
        self.after.as_ref().or(self.before.as_ref())
    }

    /// A UUID field of the entity (`document_id`, `agency_id`, …).
    pub fn uuid(&self, field: &str) -> Option<Uuid> {
        self.latest()?.get(field)?.as_str()?.parse().ok()
    }
}

/// Models whose changes are audited.
pub trait Audited: Serialize {
    const ENTITY: &'static str;
    fn key(&self) -> Uuid;
}

macro_rules! audited {
    ($($module:ident => $name:literal),+ $(,)?) => {
        $(impl Audited for $module::Model {
            const ENTITY: &'static str = $name;
            fn key(&self) -> Uuid {
                self.id
            }
        })+
    };
}

audited!(
    agency => "Agency",
    document => "Document",
    document_relation => "DocumentRelation",
    task_group => "TaskGroup",
    task => "Task",
    task_assignment => "TaskAssignment",
    progress_report => "ProgressReport",
    deadline_extension => "DeadlineExtension",
    task_relation => "TaskRelation",
    agency_event => "AgencyEvent",
    agency_event_party => "AgencyEventParty",
    agency_name => "AgencyName",
);

fn json<M: Serialize>(model: &M) -> Option<serde_json::Value> {
    serde_json::to_value(model).ok()
}

impl Tx {
    fn record(&self, change: Change) {
        if let Ok(mut changes) = self.changes.lock() {
            changes.push(change);
        }
    }

    pub(super) fn created<M: Audited>(&self, after: &M) {
        self.record(Change { entity_type: M::ENTITY, entity_id: after.key(), before: None, after: json(after) });
    }

    pub(super) fn updated<M: Audited>(&self, before: &M, after: &M) {
        self.record(Change {
            entity_type: M::ENTITY,
            entity_id: after.key(),
            before: json(before),
            after: json(after),
        });
    }

    pub(super) fn deleted<M: Audited>(&self, before: &M) {
        self.record(Change { entity_type: M::ENTITY, entity_id: before.key(), before: json(before), after: None });
    }

    /// What this transaction changed, in the order it changed it; taken once, at commit.
    pub(super) fn take_changes(&self) -> Vec<Change> {
        self.changes.lock().map(|mut c| std::mem::take(&mut *c)).unwrap_or_default()
    }

    /// The audit rows for `changes`.
    pub(super) fn audit_rows(&self, changes: &[Change]) -> Vec<audit_log::ActiveModel> {
        if self.audit.generated {
            return Vec::new();
        }
        let at = Utc::now();
        let roles = self.audit.roles.join(",");
        changes
            .iter()
            .cloned()
            .map(|c| audit_log::ActiveModel {
                id: sea_orm::Set(Uuid::now_v7()),
                at: sea_orm::Set(at),
                sub: sea_orm::Set(self.audit.sub.clone()),
                agency_code: sea_orm::Set(self.audit.agency_code.clone()),
                roles: sea_orm::Set(roles.clone()),
                operation: sea_orm::Set(self.audit.operation.clone()),
                entity_type: sea_orm::Set(c.entity_type.to_owned()),
                entity_id: sea_orm::Set(c.entity_id),
                before: sea_orm::Set(c.before),
                after: sea_orm::Set(c.after),
                request_id: sea_orm::Set(self.audit.request_id.clone()),
            })
            .collect()
    }
}

/// Which audit records to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AuditQuery {
    pub entity_id: Option<Uuid>,
    pub agency_code: Option<String>,
    pub sub: Option<String>,
    pub from: Option<chrono::DateTime<Utc>>,
    pub to: Option<chrono::DateTime<Utc>>,
}

fn condition(q: &AuditQuery) -> Condition {
    let mut cond = Condition::all();
    if let Some(id) = q.entity_id {
        cond = cond.add(audit_log::Column::EntityId.eq(id));
    }
    if let Some(code) = &q.agency_code {
        cond = cond.add(audit_log::Column::AgencyCode.eq(code.as_str()));
    }
    if let Some(sub) = &q.sub {
        cond = cond.add(audit_log::Column::Sub.eq(sub.as_str()));
    }
    if let Some(from) = q.from {
        cond = cond.add(audit_log::Column::At.gte(from));
    }
    if let Some(to) = q.to {
        cond = cond.add(audit_log::Column::At.lt(to));
    }
    cond
}

impl Store {
    pub async fn list_audit(&self, q: &AuditQuery, req: PageRequest) -> Result<Page<audit_log::Model>> {
        fetch_page(self.conn(), audit_log::Entity::find().filter(condition(q)), audit_log::Column::Id, req).await
    }

    pub async fn count_audit(&self, q: &AuditQuery) -> Result<u64> {
        use sea_orm::PaginatorTrait;
        Ok(audit_log::Entity::find().filter(condition(q)).count(self.conn()).await?)
    }

    /// For each entity, a page of its audit records, oldest first.
    pub async fn history_of(&self, entities: &[Uuid], window: Window) -> Result<HashMap<Uuid, Page<audit_log::Model>>> {
        let parent = (audit_log::Entity, audit_log::Column::EntityId).into_column_ref();
        fetch_windows(self.conn(), audit_log::Entity::find(), parent, audit_log::Column::Id, entities, window).await
    }
}
