//! Batching: every relation resolves through [`Loaders`], so that the statements of a request
//! depend on the shape of its query, never on how many rows each level returns.

use std::collections::HashMap;
use std::hash::Hash;

use async_graphql::dataloader::Loader;
use entity::sea_orm_active_enums::{EventSide, RelationKind};
use entity::{
    agency, agency_event, agency_name, audit_log, deadline_extension, document, external_reference, progress_report,
    task, task_assignment, task_group,
};
use uuid::Uuid;

use crate::domain::status::{AsOf, TaskStatus};
use crate::error::Error;
use crate::ids::{AgencyId, AssignmentId, DocumentId, ReportId, TaskGroupId, TaskId};
use crate::store::{
    Direction, Lineage, LineageSpec, Page, Responsibility, RollupOf, RollupValue, Store, TaskParent, TaskQuery, Window,
};

pub struct Loaders {
    store: Store,
}

impl Loaders {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

/// Implements a by-id loader for one typed id.
macro_rules! by_id {
    ($id:ty, $model:ty, $method:ident) => {
        impl Loader<$id> for Loaders {
            type Value = $model;
            type Error = Error;

            async fn load(&self, keys: &[$id]) -> Result<HashMap<$id, Self::Value>, Self::Error> {
                let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
                let rows = self.store.$method(&ids).await?;
                Ok(rows.into_iter().map(|m| (<$id>::from_uuid(m.id), m)).collect())
            }
        }
    };
}

by_id!(AgencyId, agency::Model, agencies_by_ids);
by_id!(DocumentId, document::Model, documents_by_ids);
by_id!(TaskGroupId, task_group::Model, task_groups_by_ids);
by_id!(TaskId, task::Model, tasks_by_ids);
by_id!(AssignmentId, task_assignment::Model, assignments_by_ids);
by_id!(ReportId, progress_report::Model, reports_by_ids);

/// All assignments of a task, current and ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssignmentsOf(pub TaskId);

impl Loader<AssignmentsOf> for Loaders {
    type Value = Vec<task_assignment::Model>;
    type Error = Error;

    async fn load(&self, keys: &[AssignmentsOf]) -> Result<HashMap<AssignmentsOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0.0).collect();
        let mut found = self.store.assignments_of(&ids).await?;
        Ok(keys.iter().map(|k| (*k, found.remove(&k.0.0).unwrap_or_default())).collect())
    }
}

/// The task groups of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupsOf(pub DocumentId);

impl Loader<GroupsOf> for Loaders {
    type Value = Vec<task_group::Model>;
    type Error = Error;

    async fn load(&self, keys: &[GroupsOf]) -> Result<HashMap<GroupsOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0.0).collect();
        let mut found = self.store.task_groups_of(&ids).await?;
        Ok(keys.iter().map(|k| (*k, found.remove(&k.0.0).unwrap_or_default())).collect())
    }
}

/// A page of one parent's list; keys that share everything but the parent load in one statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageOf<S> {
    pub parent: Uuid,
    pub spec: S,
}

/// Groups page keys by their spec and loads each group with one call of `load`.
async fn load_pages<S, M, F, Fut>(keys: &[PageOf<S>], load: F) -> Result<HashMap<PageOf<S>, Page<M>>, Error>
where
    S: Clone + Eq + Hash,
    F: Fn(S, Vec<Uuid>) -> Fut,
    Fut: Future<Output = Result<HashMap<Uuid, Page<M>>, Error>>,
{
    let mut groups: HashMap<S, Vec<Uuid>> = HashMap::new();
    for key in keys {
        groups.entry(key.spec.clone()).or_default().push(key.parent);
    }
    let mut out = HashMap::new();
    for (spec, parents) in groups {
        for (parent, page) in load(spec.clone(), parents).await? {
            out.insert(PageOf { parent, spec: spec.clone() }, page);
        }
    }
    Ok(out)
}

/// Documents linked to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Related {
    pub kind: RelationKind,
    pub direction: Direction,
    pub window: Window,
}

impl Loader<PageOf<Related>> for Loaders {
    type Value = Page<document::Model>;
    type Error = Error;

    async fn load(&self, keys: &[PageOf<Related>]) -> Result<HashMap<PageOf<Related>, Self::Value>, Self::Error> {
        load_pages(keys, |s: Related, parents| async move {
            self.store.related_documents(&parents, s.kind, s.direction, s.window).await
        })
        .await
    }
}

/// Tasks under a document, a task group or a task.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tasks {
    pub parent: TaskParent,
    pub query: TaskQuery,
    pub window: Window,
}

impl Loader<PageOf<Tasks>> for Loaders {
    type Value = Page<task::Model>;
    type Error = Error;

    async fn load(&self, keys: &[PageOf<Tasks>]) -> Result<HashMap<PageOf<Tasks>, Self::Value>, Self::Error> {
        load_pages(keys, |s: Tasks, parents| async move {
            self.store.tasks_of(s.parent, &parents, &s.query, s.window).await
        })
        .await
    }
}

/// Progress reports on a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reports(pub Window);

impl Loader<PageOf<Reports>> for Loaders {
    type Value = Page<progress_report::Model>;
    type Error = Error;

    async fn load(&self, keys: &[PageOf<Reports>]) -> Result<HashMap<PageOf<Reports>, Self::Value>, Self::Error> {
        load_pages(keys, |s: Reports, parents| async move { self.store.reports_of(&parents, s.0).await }).await
    }
}

/// Audit records of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct History(pub Window);

impl Loader<PageOf<History>> for Loaders {
    type Value = Page<audit_log::Model>;
    type Error = Error;

    async fn load(&self, keys: &[PageOf<History>]) -> Result<HashMap<PageOf<History>, Self::Value>, Self::Error> {
        load_pages(keys, |s: History, parents| async move { self.store.history_of(&parents, s.0).await }).await
    }
}

/// The keys of an entity in other systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReferencesOf(pub Uuid);

impl Loader<ReferencesOf> for Loaders {
    type Value = Vec<external_reference::Model>;
    type Error = Error;

    async fn load(&self, keys: &[ReferencesOf]) -> Result<HashMap<ReferencesOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut found = self.store.references_of(&ids).await?;
        Ok(keys.iter().map(|k| (*k, found.remove(&k.0).unwrap_or_default())).collect())
    }
}

/// A task's status on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusOf(pub TaskId, pub AsOf);

impl Loader<StatusOf> for Loaders {
    type Value = TaskStatus;
    type Error = Error;

    async fn load(&self, keys: &[StatusOf]) -> Result<HashMap<StatusOf, Self::Value>, Self::Error> {
        let mut days: HashMap<AsOf, Vec<Uuid>> = HashMap::new();
        for key in keys {
            days.entry(key.1).or_default().push(key.0.0);
        }
        let mut out = HashMap::new();
        for (as_of, tasks) in days {
            for (task, status) in self.store.statuses(&tasks, as_of).await? {
                out.insert(StatusOf(TaskId(task), as_of), status);
            }
        }
        Ok(out)
    }
}

/// Tasks linked to a task: those it carries out, or those that carry it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkedTasks {
    pub direction: Direction,
    pub window: Window,
}

impl Loader<PageOf<LinkedTasks>> for Loaders {
    type Value = Page<task::Model>;
    type Error = Error;

    async fn load(
        &self,
        keys: &[PageOf<LinkedTasks>],
    ) -> Result<HashMap<PageOf<LinkedTasks>, Self::Value>, Self::Error> {
        load_pages(keys, |s: LinkedTasks, parents| async move {
            self.store.linked_tasks(&parents, s.direction, s.window).await
        })
        .await
    }
}

/// The deadline extensions of a task, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtensionsOf(pub TaskId);

impl Loader<ExtensionsOf> for Loaders {
    type Value = Vec<deadline_extension::Model>;
    type Error = Error;

    async fn load(&self, keys: &[ExtensionsOf]) -> Result<HashMap<ExtensionsOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0.0).collect();
        let mut found = self.store.extensions_of(&ids).await?;
        Ok(keys.iter().map(|k| (*k, found.remove(&k.0.0).unwrap_or_default())).collect())
    }
}

impl Loader<PageOf<LineageSpec>> for Loaders {
    type Value = Page<Lineage>;
    type Error = Error;

    async fn load(
        &self,
        keys: &[PageOf<LineageSpec>],
    ) -> Result<HashMap<PageOf<LineageSpec>, Self::Value>, Self::Error> {
        load_pages(keys, |s: LineageSpec, roots| async move { self.store.lineage(&roots, &s).await }).await
    }
}

impl Loader<RollupOf> for Loaders {
    type Value = RollupValue;
    type Error = Error;

    async fn load(&self, keys: &[RollupOf]) -> Result<HashMap<RollupOf, Self::Value>, Self::Error> {
        self.store.rollups(keys).await
    }
}

/// The events an agency took part in, with its side in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventsOf(pub AgencyId);

impl Loader<EventsOf> for Loaders {
    type Value = Vec<(agency_event::Model, EventSide)>;
    type Error = Error;

    async fn load(&self, keys: &[EventsOf]) -> Result<HashMap<EventsOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0.0).collect();
        let mut found = self.store.events_of(&ids).await?;
        Ok(keys.iter().map(|k| (*k, found.remove(&k.0.0).unwrap_or_default())).collect())
    }
}

/// The agencies of an event, with their sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartiesOf(pub Uuid);

impl Loader<PartiesOf> for Loaders {
    type Value = Vec<(Uuid, EventSide)>;
    type Error = Error;

    async fn load(&self, keys: &[PartiesOf]) -> Result<HashMap<PartiesOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut found = self.store.parties_of(&ids).await?;
        Ok(keys.iter().map(|k| (*k, found.remove(&k.0).unwrap_or_default())).collect())
    }
}

/// The earlier names of an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NamesOf(pub AgencyId);

impl Loader<NamesOf> for Loaders {
    type Value = Vec<agency_name::Model>;
    type Error = Error;

    async fn load(&self, keys: &[NamesOf]) -> Result<HashMap<NamesOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0.0).collect();
        let mut found = self.store.names_of(&ids).await?;
        Ok(keys.iter().map(|k| (*k, found.remove(&k.0.0).unwrap_or_default())).collect())
    }
}

/// A reorganisation by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventById(pub Uuid);

impl Loader<EventById> for Loaders {
    type Value = agency_event::Model;
    type Error = Error;

    async fn load(&self, keys: &[EventById]) -> Result<HashMap<EventById, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        Ok(self.store.events_by_ids(&ids).await?.into_iter().map(|e| (EventById(e.id), e)).collect())
    }
}

impl Loader<PageOf<Responsibility>> for Loaders {
    type Value = Page<task::Model>;
    type Error = Error;

    async fn load(
        &self,
        keys: &[PageOf<Responsibility>],
    ) -> Result<HashMap<PageOf<Responsibility>, Self::Value>, Self::Error> {
        load_pages(keys, |s: Responsibility, agencies| async move { self.store.tasks_held(&agencies, s).await }).await
    }
}

/// The cascade below a document on a day, as exports and diagrams read it; keys sharing a day and
/// a depth load together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CascadeOf {
    pub root: Uuid,
    pub as_of: chrono::NaiveDate,
    pub max_depth: i32,
}

impl Loader<CascadeOf> for Loaders {
    type Value = std::sync::Arc<crate::exchange::cascade::Cascade>;
    type Error = Error;

    async fn load(&self, keys: &[CascadeOf]) -> Result<HashMap<CascadeOf, Self::Value>, Self::Error> {
        let mut groups: HashMap<(chrono::NaiveDate, i32), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups.entry((key.as_of, key.max_depth)).or_default().push(key.root);
        }
        let mut out = HashMap::new();
        for ((as_of, max_depth), roots) in groups {
            let found = crate::exchange::cascade::Cascade::read_many(&self.store, &roots, as_of, max_depth).await?;
            for (root, cascade) in found {
                out.insert(CascadeOf { root, as_of, max_depth }, std::sync::Arc::new(cascade));
            }
        }
        Ok(out)
    }
}
