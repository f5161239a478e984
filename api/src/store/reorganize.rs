//! Reorganising the apparatus: one event, in one transaction, ends the agencies it ends and hands
//! their open tasks to their successors. Completed and cancelled tasks keep their agencies;
//! documents keep their issuers; ended assignments stay as history.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate, Utc};
use entity::sea_orm_active_enums::{AgencyEventKind, AssignmentRole, EventSide, ProgressState};
use entity::{agency, agency_event, agency_event_party, agency_name, document, task, task_assignment};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    Statement,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::agencies::AgencyChanges;
use super::assignments::{NewAssignment, end_assignment, insert_assignment};
use super::documents::require_document;
use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::ids::{AgencyId, DocumentId, TaskId};

#[derive(Debug, Clone)]
pub struct Reorganisation {
    pub kind: AgencyEventKind,
    pub effective_on: NaiveDate,
    pub legal_basis: DocumentId,
    pub from_codes: Vec<String>,
    pub to_codes: Vec<String>,
    /// For a transfer of function: what moves.
    pub function: Option<String>,
    /// For a rename: the new name, and its English translation (none to drop the old one).
    pub new_name: Option<(String, Option<String>)>,
    /// For a transfer of function: only the tasks of this document move (all when none).
    pub task_document: Option<DocumentId>,
}

/// What an event did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reorganised {
    pub event: agency_event::Model,
    pub parties: Vec<(agency::Model, EventSide)>,
    /// Tasks whose agencies changed, each once.
    pub tasks: Vec<task::Model>,
}

/// Agencies by code, in the order given; an unknown code is an error naming `field`.
async fn agencies(tx: &Tx, codes: &[String], field: &str) -> Result<Vec<agency::Model>> {
    let found = agency::Entity::find().filter(agency::Column::Code.is_in(codes.iter().cloned())).all(tx).await?;
    let mut by_code: HashMap<String, agency::Model> = found.into_iter().map(|a| (a.code.clone(), a)).collect();
    let mut out = Vec::new();
    for code in codes {
        match by_code.remove(code) {
            Some(a) => out.push(a),
            None if out.iter().any(|a: &agency::Model| &a.code == code) => {
                return Err(Error::bad_field(field, format!("{code} is named twice")));
            }
            None => return Err(Error::bad_field(field, format!("no agency has the code {code}"))),
        }
    }
    Ok(out)
}

/// Checks the number of predecessors and successors each kind takes.
fn check_shape(r: &Reorganisation) -> Result<()> {
    let (from, to) = (r.from_codes.len(), r.to_codes.len());
    let wrong = |what: &str| Err(Error::bad_input(format!("{} takes {what}", r.kind)));
    match r.kind {
        AgencyEventKind::Establish if from != 0 || to == 0 => wrong("no fromCodes and at least one toCode"),
        AgencyEventKind::Rename if from != 1 || to > 1 || (to == 1 && r.to_codes != r.from_codes) => {
            wrong("one fromCode (the agency renamed) and no other toCode")
        }
        AgencyEventKind::Rename if r.new_name.is_none() => Err(Error::bad_field("newName", "RENAME needs newName")),
        AgencyEventKind::Merge if from < 2 || to != 1 => wrong("at least two fromCodes and one toCode"),
        AgencyEventKind::Split if from != 1 || to < 2 => wrong("one fromCode and at least two toCodes"),
        AgencyEventKind::Dissolve if from == 0 || to > 1 => wrong("at least one fromCode and at most one toCode"),
        AgencyEventKind::TransferFunction if from != 1 || to != 1 => wrong("one fromCode and one toCode"),
        AgencyEventKind::TransferFunction if r.function.is_none() => {
            Err(Error::bad_field("function", "TRANSFER_FUNCTION needs the function that moves"))
        }
        _ => Ok(()),
    }
}

/// Whether the kind ends its predecessors (all but a successor among them).
fn ends_predecessors(kind: AgencyEventKind) -> bool {
    matches!(kind, AgencyEventKind::Merge | AgencyEventKind::Split | AgencyEventKind::Dissolve)
}

/// The successors that begin to exist on the day: those an ESTABLISH names, and the new body a
/// MERGE or SPLIT forms (a successor not among the predecessors, with no first day yet). An agency
/// that absorbs others is listed among the predecessors too, so it goes on as it was.
fn starting_successors<'a>(
    kind: AgencyEventKind,
    from: &[agency::Model],
    to: &'a [agency::Model],
) -> Vec<&'a agency::Model> {
    match kind {
        AgencyEventKind::Establish => to.iter().collect(),
        AgencyEventKind::Merge | AgencyEventKind::Split => {
            to.iter().filter(|a| a.valid_from.is_none() && !from.iter().any(|p| p.id == a.id)).collect()
        }
        _ => Vec::new(),
    }
}

/// An agency that issued a document or held a task before `day` existed before it: starting it on
/// `day` would rewrite its past.
async fn refuse_if_acting_before(tx: &Tx, a: &agency::Model, day: NaiveDate) -> Result<()> {
    let issued = document::Entity::find()
        .filter(document::Column::IssuerId.eq(a.id))
        .filter(document::Column::IssuedOn.lt(day))
        .count(tx)
        .await?;
    let held = task_assignment::Entity::find()
        .filter(task_assignment::Column::AgencyId.eq(a.id))
        .filter(task_assignment::Column::AssignedOn.lt(day))
        .count(tx)
        .await?;
    if issued + held > 0 {
        return Err(Error::bad_field(
            "toCodes",
            format!(
                "{} already issued documents or held tasks before {day}, so it cannot begin on that day; \
                 an agency that absorbs others is listed in fromCodes as well",
                a.code
            ),
        ));
    }
    Ok(())
}

/// Whether `goal` already succeeds, directly or through other events, `start`.
async fn succeeds(tx: &Tx, start: Uuid, goal: Uuid) -> Result<bool> {
    let sql = "WITH RECURSIVE later(id) AS (SELECT $1 UNION SELECT s.agency_id FROM later \
               JOIN agency_event_party p ON p.agency_id = later.id AND p.side = 'PREDECESSOR' \
               JOIN agency_event_party s ON s.event_id = p.event_id AND s.side = 'SUCCESSOR') \
               SELECT 1 AS hit FROM later WHERE id = $2";
    let stmt = Statement::from_sql_and_values(tx.get_database_backend(), sql, [start.into(), goal.into()]);
    Ok(tx.query_one_raw(stmt).await?.is_some())
}

impl Tx {
    pub async fn reorganize(&self, r: Reorganisation) -> Result<Reorganised> {
        check_shape(&r)?;
        // Serialises events with each other, as links between documents are.
        super::documents::lock_graph(self).await?;
        let basis = require_document(self, r.legal_basis, "legalBasisId").await?;
        let from = agencies(self, &r.from_codes, "fromCodes").await?;
        let to = agencies(self, &r.to_codes, "toCodes").await?;
        let day = r.effective_on;
        for a in &from {
            if a.valid_from.is_some_and(|since| day < since) {
                return Err(Error::bad_field(
                    "effectiveOn",
                    format!("{} exists only from {}: it cannot change on {day}", a.code, a.valid_from.unwrap_or(day)),
                ));
            }
            if a.valid_to.is_some_and(|until| until <= day) {
                return Err(Error::bad_field("fromCodes", format!("{} no longer exists on {day}", a.code)));
            }
        }
        if r.kind != AgencyEventKind::Establish {
            for a in &to {
                if a.valid_to.is_some_and(|until| until <= day) {
                    return Err(Error::bad_field("toCodes", format!("{} no longer exists on {day}", a.code)));
                }
                if let Some(since) = a.valid_from.filter(|since| *since > day) {
                    return Err(Error::bad_field(
                        "toCodes",
                        format!("{} exists only from {since}: it cannot take over on {day}", a.code),
                    ));
                }
            }
        }
        let starting = starting_successors(r.kind, &from, &to);
        for a in &starting {
            refuse_if_acting_before(self, a, day).await?;
        }
        for p in &from {
            for s in to.iter().filter(|s| s.id != p.id) {
                if succeeds(self, s.id, p.id).await? {
                    return Err(Error::bad_input(format!(
                        "{} already succeeds {}: {} cannot also succeed {}, that would make a cycle of successions",
                        p.code, s.code, s.code, p.code
                    )));
                }
            }
        }

        let now = Utc::now();
        let event = agency_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            kind: Set(r.kind),
            effective_on: Set(day),
            legal_basis_id: Set(Some(basis.id)),
            function: Set(r.function.clone()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self)
        .await?;
        self.created(&event);
        let parties =
            from.iter().map(|a| (a, EventSide::Predecessor)).chain(to.iter().map(|a| (a, EventSide::Successor)));
        for (a, side) in parties {
            let party = agency_event_party::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(event.id),
                agency_id: Set(a.id),
                side: Set(side),
            }
            .insert(self)
            .await?;
            self.created(&party);
        }

        for a in &starting {
            self.change_agency(a, AgencyChanges { valid_from: Some(Some(day)), ..Default::default() }).await?;
        }
        match r.kind {
            AgencyEventKind::Rename => {
                let (name, name_en) = r.new_name.clone().expect("checked by check_shape");
                self.rename(&from[0], name, name_en, day, event.id).await?;
            }
            kind if ends_predecessors(kind) => {
                for a in from.iter().filter(|a| !to.iter().any(|s| s.id == a.id)) {
                    self.change_agency(a, AgencyChanges { valid_to: Some(Some(day)), ..Default::default() }).await?;
                }
            }
            _ => {}
        }

        let moving: Vec<&agency::Model> = match r.kind {
            AgencyEventKind::TransferFunction => from.iter().collect(),
            kind if ends_predecessors(kind) => from.iter().filter(|a| !to.iter().any(|s| s.id == a.id)).collect(),
            _ => Vec::new(),
        };
        // A split hands the tasks to its first successor: the others start with none.
        let successor = to.first();
        let mut touched: Vec<Uuid> = Vec::new();
        if let Some(successor) = successor {
            for predecessor in moving {
                let open = open_assignments(self, predecessor.id, r.task_document).await?;
                for assignment in open {
                    self.hand_over(assignment, successor.id, day, event.id, &mut touched).await?;
                }
            }
        }
        let mut seen = HashSet::new();
        touched.retain(|t| seen.insert(*t));
        let tasks = task::Entity::find().filter(task::Column::Id.is_in(touched.iter().copied())).all(self).await?;
        let mut by_id: HashMap<Uuid, task::Model> = tasks.into_iter().map(|t| (t.id, t)).collect();
        let tasks = touched.iter().filter_map(|id| by_id.remove(id)).collect();
        let parties = from
            .into_iter()
            .map(|a| (a, EventSide::Predecessor))
            .chain(to.into_iter().map(|a| (a, EventSide::Successor)))
            .collect();
        Ok(Reorganised { event, parties, tasks })
    }

    /// The event of this kind already recorded for the day on this legal basis, if any.
    pub async fn event_by_key(
        &self,
        kind: AgencyEventKind,
        day: NaiveDate,
        basis: DocumentId,
    ) -> Result<Option<agency_event::Model>> {
        Ok(agency_event::Entity::find()
            .filter(agency_event::Column::Kind.eq(kind))
            .filter(agency_event::Column::EffectiveOn.eq(day))
            .filter(agency_event::Column::LegalBasisId.eq(basis.0))
            .one(self)
            .await?)
    }

    /// Changes an agency on behalf of the event, at the version read at its start.
    async fn change_agency(&self, a: &agency::Model, changes: AgencyChanges) -> Result<()> {
        self.update_agency(AgencyId(a.id), a.version, changes).await?;
        Ok(())
    }

    async fn rename(
        &self,
        a: &agency::Model,
        name: String,
        name_en: Option<String>,
        day: NaiveDate,
        event: Uuid,
    ) -> Result<()> {
        let old = agency_name::ActiveModel {
            id: Set(Uuid::now_v7()),
            agency_id: Set(a.id),
            name: Set(a.name.clone()),
            name_i18n: Set(a.name_i18n.clone()),
            valid_until: Set(day),
            event_id: Set(Some(event)),
        }
        .insert(self)
        .await?;
        self.created(&old);
        let changes = AgencyChanges { name: Some(name), name_en: Some(name_en), ..Default::default() };
        self.change_agency(a, changes).await
    }

    /// Ends `assignment` the day before `day` and gives its role to `successor` from `day`. A
    /// successor already on the task keeps its place, and takes the lead if the predecessor had it.
    async fn hand_over(
        &self,
        assignment: task_assignment::Model,
        successor: Uuid,
        day: NaiveDate,
        event: Uuid,
        touched: &mut Vec<Uuid>,
    ) -> Result<()> {
        let task = assignment.task_id;
        let role = assignment.role;
        self.end_assignment(assignment, day).await?;
        let held = task_assignment::Entity::find()
            .filter(task_assignment::Column::TaskId.eq(task))
            .filter(task_assignment::Column::AgencyId.eq(successor))
            .filter(task_assignment::Column::EndedOn.is_null())
            .one(self)
            .await?;
        match held {
            Some(h) if h.role == role || role == AssignmentRole::Coordinating => {}
            Some(h) => {
                self.end_assignment(h, day).await?;
                self.succeed(task, successor, role, day, event).await?;
            }
            None => self.succeed(task, successor, role, day, event).await?,
        }
        touched.push(task);
        Ok(())
    }

    async fn succeed(&self, task: Uuid, agency: Uuid, role: AssignmentRole, day: NaiveDate, event: Uuid) -> Result<()> {
        let new = NewAssignment {
            task: TaskId(task),
            agency: AgencyId(agency),
            role,
            assigned_on: day,
            reason: Some("SUCCESSION".to_owned()),
            event: Some(event),
        };
        insert_assignment(self, new, "toCodes").await?;
        Ok(())
    }

    /// Ends an assignment on the day before `day` (on its first day, if it began on `day`).
    async fn end_assignment(&self, a: task_assignment::Model, day: NaiveDate) -> Result<()> {
        let last = std::cmp::max(day.checked_sub_days(Days::new(1)).unwrap_or(day), a.assigned_on);
        end_assignment(self, a, last).await?;
        Ok(())
    }
}

/// The agency's current assignments on tasks neither completed nor cancelled (of one document if given).
async fn open_assignments(tx: &Tx, agency: Uuid, document: Option<DocumentId>) -> Result<Vec<task_assignment::Model>> {
    let mut open = Query::select()
        .column(task::Column::Id)
        .from(task::Entity)
        .and_where(
            Expr::col(task::Column::ProgressState)
                .is_not_in([ProgressState::Completed.as_str(), ProgressState::Cancelled.as_str()]),
        )
        .to_owned();
    if let Some(doc) = document {
        open.and_where(Expr::col(task::Column::DocumentId).eq(doc.0));
    }
    Ok(task_assignment::Entity::find()
        .filter(task_assignment::Column::AgencyId.eq(agency))
        .filter(task_assignment::Column::EndedOn.is_null())
        .filter(task_assignment::Column::TaskId.in_subquery(open))
        .order_by_asc(task_assignment::Column::Id)
        .all(tx)
        .await?)
}

impl Store {
    pub async fn events_by_ids(&self, ids: &[Uuid]) -> Result<Vec<agency_event::Model>> {
        Ok(agency_event::Entity::find()
            .filter(agency_event::Column::Id.is_in(ids.iter().copied()))
            .all(self.conn())
            .await?)
    }

    /// The events each agency took part in, oldest first, with its side.
    pub async fn events_of(&self, agencies: &[Uuid]) -> Result<HashMap<Uuid, Vec<(agency_event::Model, EventSide)>>> {
        let parties = agency_event_party::Entity::find()
            .filter(agency_event_party::Column::AgencyId.is_in(agencies.iter().copied()))
            .all(self.conn())
            .await?;
        let events: HashMap<Uuid, agency_event::Model> = agency_event::Entity::find()
            .filter(agency_event::Column::Id.is_in(parties.iter().map(|p| p.event_id)))
            .all(self.conn())
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let mut out: HashMap<Uuid, Vec<(agency_event::Model, EventSide)>> = HashMap::new();
        for p in parties {
            if let Some(e) = events.get(&p.event_id) {
                out.entry(p.agency_id).or_default().push((e.clone(), p.side));
            }
        }
        for list in out.values_mut() {
            list.sort_by_key(|(e, _)| (e.effective_on, e.id));
        }
        Ok(out)
    }

    /// The parties of each event: (agency, side).
    pub async fn parties_of(&self, events: &[Uuid]) -> Result<HashMap<Uuid, Vec<(Uuid, EventSide)>>> {
        let parties = agency_event_party::Entity::find()
            .filter(agency_event_party::Column::EventId.is_in(events.iter().copied()))
            .order_by_asc(agency_event_party::Column::Id)
            .all(self.conn())
            .await?;
        let grouped = super::group_by(parties, |p| p.event_id);
        Ok(grouped
            .into_iter()
            .map(|(event, ps)| (event, ps.into_iter().map(|p| (p.agency_id, p.side)).collect()))
            .collect())
    }

    /// The earlier names of each agency, oldest first.
    pub async fn names_of(&self, agencies: &[Uuid]) -> Result<HashMap<Uuid, Vec<agency_name::Model>>> {
        let rows = agency_name::Entity::find()
            .filter(agency_name::Column::AgencyId.is_in(agencies.iter().copied()))
            .order_by_asc(agency_name::Column::ValidUntil)
            .all(self.conn())
            .await?;
        Ok(super::group_by(rows, |r| r.agency_id))
    }
}
