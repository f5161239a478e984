//! A document's cascade read whole on a day: the documents that carry it out at any depth, in an
//! order where each comes after the documents it carries out, with their tasks, the agencies on
//! them then, the tasks' status then, and per-agency counts. Exports and diagrams are written from it.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::sea_orm_active_enums::AssignmentRole;
use entity::{agency, document, progress_report, task, task_assignment, task_group};
use uuid::Uuid;

use crate::domain::deadline::Deadline;
use crate::domain::status::{AsOf, TaskStatus};
use crate::error::{Error, Result};
use crate::store::{Direction, DocumentQuery, LineageSpec, ProgressSpec, StatusCounts, Store};

/// A document of the cascade.
#[derive(Debug, Clone)]
pub struct CascadeDocument {
    pub model: document::Model,
    /// Links from the root on the shortest path: 0 for the root.
    pub depth: i32,
    /// The documents of the cascade that this one carries out.
    pub implements: Vec<Uuid>,
}

/// A task with the agencies on it and its status on the day.
#[derive(Debug, Clone)]
pub struct CascadeTask {
    pub model: task::Model,
    pub lead: Uuid,
    pub coordinators: Vec<Uuid>,
    /// When the presiding agency was given the task.
    pub assigned_on: NaiveDate,
    /// Every assignment it has had, oldest first.
    pub assignments: Vec<task_assignment::Model>,
    pub status: TaskStatus,
    pub reports: Vec<progress_report::Model>,
}

impl CascadeTask {
    pub fn deadline(&self) -> Deadline {
        let t = &self.model;
        Deadline::from_columns(t.deadline_kind, t.deadline_date, t.deadline_year, t.deadline_recurrence)
    }
}

#[derive(Debug, Clone)]
pub struct Cascade {
    pub as_of: NaiveDate,
    /// The root first, then each document after those it carries out.
    pub documents: Vec<CascadeDocument>,
    pub groups: HashMap<Uuid, Vec<task_group::Model>>,
    /// By document, in creation order.
    pub tasks: HashMap<Uuid, Vec<CascadeTask>>,
    /// Every agency named (issuers, agencies on tasks, reporters) and every agency above them, in code order.
    pub agencies: Vec<agency::Model>,
    /// Presiding agencies with their tasks by status, across the cascade, most overdue first.
    pub presiding: Vec<(Uuid, StatusCounts)>,
}

impl Cascade {
    /// Reads the cascade below `root`, `max_depth` links deep, on `as_of`.
    pub async fn read(store: &Store, root: Uuid, as_of: NaiveDate, max_depth: i32) -> Result<Self> {
        let mut found = Self::read_many(store, &[root], as_of, max_depth).await?;
        found.remove(&root).ok_or_else(|| Error::not_found("no document has this id"))
    }

    /// Reads the cascades below each root at once: the same statements for one root or many.
    pub async fn read_many(
        store: &Store,
        roots: &[Uuid],
        as_of: NaiveDate,
        max_depth: i32,
    ) -> Result<HashMap<Uuid, Self>> {
        let root_models = store.documents_by_ids(roots).await?;
        let spec =
            LineageSpec { direction: Direction::Sources, max_depth, filter: DocumentQuery::default(), window: None };
        let mut below = store.lineage(roots, &spec).await?;
        let mut cascades: Vec<(Uuid, Vec<(document::Model, i32)>)> = Vec::new();
        for root in root_models {
            let lineage = below.remove(&root.id).map(|page| page.items).unwrap_or_default();
            let mut docs = vec![(root.clone(), 0)];
            docs.extend(lineage.into_iter().map(|l| (l.document, l.depth)));
            cascades.push((root.id, docs));
        }
        let mut ids: Vec<Uuid> = cascades.iter().flat_map(|(_, docs)| docs.iter().map(|(d, _)| d.id)).collect();
        ids.sort();
        ids.dedup();

        let links = store.links_among(&ids).await?;
        let groups = store.task_groups_of(&ids).await?;
        let task_models = store.tasks_in(&ids).await?;
        let task_ids: Vec<Uuid> = task_models.iter().map(|t| t.id).collect();
        let day = AsOf::new(as_of);
        let statuses = store.statuses(&task_ids, day).await?;
        let assignments = store.assignments_of(&task_ids).await?;
        let mut reports = crate::store::group_by(store.reports_on(&task_ids).await?, |r| r.task_id);

        let mut tasks: HashMap<Uuid, Vec<CascadeTask>> = HashMap::new();
        for model in task_models {
            let held = assignments.get(&model.id).map(Vec::as_slice).unwrap_or_default();
            let Some(lead) = lead_of(held, as_of) else {
                return Err(Error::internal(format!("task {} has no presiding agency", model.id)));
            };
            let coordinators: Vec<Uuid> =
                holders(held, AssignmentRole::Coordinating, as_of).into_iter().map(|a| a.agency_id).collect();
            let status =
                *statuses.get(&model.id).ok_or_else(|| Error::internal(format!("no status for task {}", model.id)))?;
            let mut history = held.to_vec();
            history.sort_by_key(|a| (a.assigned_on, a.id));
            tasks.entry(model.document_id).or_default().push(CascadeTask {
                lead: lead.agency_id,
                assigned_on: lead.assigned_on,
                coordinators,
                assignments: history,
                status,
                reports: reports.remove(&model.id).unwrap_or_default(),
                model,
            });
        }
        let named = |docs: &[(document::Model, i32)]| -> Vec<Uuid> {
            let mut named: HashSet<Uuid> = docs.iter().map(|(d, _)| d.issuer_id).collect();
            for t in docs.iter().filter_map(|(d, _)| tasks.get(&d.id)).flatten() {
                named.insert(t.lead);
                named.extend(t.coordinators.iter().copied());
                named.extend(t.reports.iter().map(|r| r.agency_id));
                named.extend(t.assignments.iter().map(|a| a.agency_id));
            }
            named.into_iter().collect()
        };
        let all_named: Vec<Uuid> = cascades.iter().flat_map(|(_, docs)| named(docs)).collect();
        let everyone: HashMap<Uuid, agency::Model> =
            store.agencies_with_parents(&all_named).await?.into_iter().map(|a| (a.id, a)).collect();
        let spec = ProgressSpec { as_of: day, include_descendants: true, role: Some(AssignmentRole::Presiding) };
        let mut by_agency =
            store.progress_by_agency(&cascades.iter().map(|(r, _)| *r).collect::<Vec<_>>(), spec).await?;

        let mut out = HashMap::new();
        for (root, docs) in cascades {
            let agencies = with_parents(&named(&docs), &everyone);
            let in_cascade: HashSet<Uuid> = docs.iter().map(|(d, _)| d.id).collect();
            let cascade_links: Vec<_> = links
                .iter()
                .filter(|l| in_cascade.contains(&l.from_id) && in_cascade.contains(&l.to_id))
                .cloned()
                .collect();
            let code = |id: &Uuid| everyone.get(id).map(|a| a.code.clone()).unwrap_or_default();
            let mut presiding: Vec<(Uuid, StatusCounts)> =
                by_agency.remove(&root).map(|rows| rows.into_iter().collect()).unwrap_or_default();
            presiding.sort_by(|(a, x), (b, y)| {
                y.get(TaskStatus::InProgressOverdue)
                    .cmp(&x.get(TaskStatus::InProgressOverdue))
                    .then_with(|| code(a).cmp(&code(b)))
            });
            let cascade = Self {
                as_of,
                groups: in_cascade.iter().filter_map(|d| Some((*d, groups.get(d)?.clone()))).collect(),
                tasks: in_cascade.iter().filter_map(|d| Some((*d, tasks.get(d)?.clone()))).collect(),
                documents: in_link_order(docs, &cascade_links),
                agencies,
                presiding,
            };
            out.insert(root, cascade);
        }
        Ok(out)
    }

    pub fn root(&self) -> &document::Model {
        &self.documents[0].model
    }

    pub fn agency(&self, id: Uuid) -> Option<&agency::Model> {
        self.agencies.iter().find(|a| a.id == id)
    }

    pub fn document(&self, id: Uuid) -> Option<&document::Model> {
        self.documents.iter().map(|d| &d.model).find(|d| d.id == id)
    }

    pub fn tasks_of(&self, document: Uuid) -> &[CascadeTask] {
        self.tasks.get(&document).map(Vec::as_slice).unwrap_or_default()
    }

    /// The document's own tasks by status on the day.
    pub fn counts_of(&self, document: Uuid) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for t in self.tasks_of(document) {
            *counts.0.entry(t.status).or_default() += 1;
        }
        counts
    }
}

/// The agencies `named` and every agency above them, in code order.
fn with_parents(named: &[Uuid], everyone: &HashMap<Uuid, agency::Model>) -> Vec<agency::Model> {
    let mut found: HashMap<Uuid, &agency::Model> = HashMap::new();
    let mut next: Vec<Uuid> = named.to_vec();
    while let Some(id) = next.pop() {
        if found.contains_key(&id) {
            continue;
        }
        if let Some(a) = everyone.get(&id) {
            found.insert(id, a);
            next.extend(a.parent_id);
        }
    }
    let mut agencies: Vec<agency::Model> = found.into_values().cloned().collect();
    agencies.sort_by(|a, b| a.code.cmp(&b.code));
    agencies
}

/// The assignments in `role` held on the day or, for a day before the task was given, its first ones.
fn holders(all: &[task_assignment::Model], role: AssignmentRole, day: NaiveDate) -> Vec<&task_assignment::Model> {
    let in_role = all.iter().filter(|a| a.role == role);
    if all.iter().all(|a| a.assigned_on > day) {
        let first = all.iter().map(|a| a.assigned_on).min();
        return in_role.filter(|a| Some(a.assigned_on) == first).collect();
    }
    in_role.filter(|a| a.assigned_on <= day && a.ended_on.is_none_or(|e| e >= day)).collect()
}

/// The presiding agency on the day or, if the task had none then, the last one it had.
fn lead_of(all: &[task_assignment::Model], day: NaiveDate) -> Option<&task_assignment::Model> {
    holders(all, AssignmentRole::Presiding, day)
        .first()
        .copied()
        .or_else(|| all.iter().filter(|a| a.role == AssignmentRole::Presiding).max_by_key(|a| (a.assigned_on, a.id)))
}

/// The documents in an order where each comes after those it carries out, nearest the root first
/// otherwise, so that loading them in that order can link each to what it carries out.
fn in_link_order(
    docs: Vec<(document::Model, i32)>,
    links: &[entity::document_relation::Model],
) -> Vec<CascadeDocument> {
    let mut pending: Vec<CascadeDocument> = docs
        .into_iter()
        .map(|(model, depth)| {
            let implements = links.iter().filter(|l| l.from_id == model.id).map(|l| l.to_id).collect();
            CascadeDocument { model, depth, implements }
        })
        .collect();
    let mut placed: HashSet<Uuid> = HashSet::new();
    let mut out = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        // IMPLEMENTS links never form a cycle, so some document always has all it carries out placed.
        let next = pending.iter().position(|d| d.implements.iter().all(|t| placed.contains(t))).unwrap_or(0);
        let doc = pending.remove(next);
        placed.insert(doc.model.id);
        out.push(doc);
    }
    out
}
