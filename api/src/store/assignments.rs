//! Who presides over and who coordinates each task. Ending an assignment keeps its row as history.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::agency;
use entity::sea_orm_active_enums::AssignmentRole;
use entity::task_assignment::{self, Column, Entity};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use super::agencies::{require_agencies_on, require_agency, require_agency_on};
use super::locks::{bump, lock, lock_version};
use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::ids::{AgencyId, AssignmentId, TaskId};

/// Corrections to an assignment; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct AssignmentChanges {
    pub role: Option<AssignmentRole>,
    pub assigned_on: Option<NaiveDate>,
    pub ended_on: Option<Option<NaiveDate>>,
    pub reason: Option<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub task: TaskId,
    pub agency: AgencyId,
    pub role: AssignmentRole,
    pub assigned_on: NaiveDate,
    pub reason: Option<String>,
    /// The reorganisation that made the assignment, for one made by succession.
    pub event: Option<Uuid>,
}

impl Store {
    pub async fn assignments_by_ids(&self, ids: &[Uuid]) -> Result<Vec<task_assignment::Model>> {
        Ok(Entity::find().filter(Column::Id.is_in(ids.iter().copied())).all(self.conn()).await?)
    }

    /// Every assignment of each task, current and ended, oldest first.
    pub async fn assignments_of(&self, tasks: &[Uuid]) -> Result<HashMap<Uuid, Vec<task_assignment::Model>>> {
        let rows = Entity::find()
            .filter(Column::TaskId.is_in(tasks.iter().copied()))
            .order_by_asc(Column::Id)
            .all(self.conn())
            .await?;
        Ok(super::group_by(rows, |r| r.task_id))
    }
}

/// The current (not ended) assignments of a task, locked.
async fn current_assignments(tx: &Tx, task: TaskId) -> Result<Vec<task_assignment::Model>> {
    Ok(Entity::find()
        .filter(Column::TaskId.eq(task.0))
        .filter(Column::EndedOn.is_null())
        .lock_exclusive()
        .all(tx)
        .await?)
}

/// Checks that a current assignment of `agency` in `role` fits beside the task's other current
/// ones (`except` being the assignment under change): one role per agency, one presiding agency.
async fn check_fits(
    tx: &Tx,
    task: TaskId,
    agency: &agency::Model,
    role: AssignmentRole,
    except: Option<Uuid>,
    field: &str,
) -> Result<()> {
    let current = current_assignments(tx, task).await?;
    let others = || current.iter().filter(|a| Some(a.id) != except);
    if let Some(existing) = others().find(|a| a.agency_id == agency.id) {
        return Err(already_assigned(agency, existing.role, field));
    }
    if role == AssignmentRole::Presiding && others().any(|a| a.role == AssignmentRole::Presiding) {
        return Err(Error::conflict(
            "the task already has a presiding agency; unassign it first (its assignment is kept as history)",
        )
        .with_field(field));
    }
    Ok(())
}

fn already_assigned(agency: &agency::Model, role: AssignmentRole, field: &str) -> Error {
    Error::conflict(format!("agency {} is already assigned to this task as {role}", agency.code)).with_field(field)
}

fn check_span(assigned_on: NaiveDate, ended_on: Option<NaiveDate>) -> Result<()> {
    match ended_on {
        Some(end) if end < assigned_on => {
            Err(Error::bad_field("endedOn", format!("endedOn cannot be before the assignment began ({assigned_on})")))
        }
        _ => Ok(()),
    }
}

/// The row of a new, current assignment.
pub fn assignment_model(id: AssignmentId, new: NewAssignment, now: DateTime<Utc>) -> task_assignment::Model {
    task_assignment::Model {
        id: id.0,
        task_id: new.task.0,
        agency_id: new.agency.0,
        role: new.role,
        assigned_on: new.assigned_on,
        ended_on: None,
        reason: new.reason,
        event_id: new.event,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Inserts an assignment after checking the agency and the one-presiding-agency rule.
/// Ends an assignment on `ended_on`, its last day; it stays as history.
pub(super) async fn end_assignment(
    tx: &Tx,
    current: task_assignment::Model,
    ended_on: NaiveDate,
) -> Result<task_assignment::Model> {
    let (version, now) = bump(current.version);
    let before = current.clone();
    let mut model: task_assignment::ActiveModel = current.into();
    model.ended_on = Set(Some(ended_on));
    model.version = Set(version);
    model.updated_at = Set(now);
    let after = model.update(tx).await?;
    tx.updated(&before, &after);
    Ok(after)
}

pub(super) async fn insert_assignment(tx: &Tx, new: NewAssignment, field: &str) -> Result<task_assignment::Model> {
    let agency = require_agency_on(tx, new.agency, new.assigned_on, field).await?;
    check_fits(tx, new.task, &agency, new.role, None, field).await?;
    let created = task_assignment::ActiveModel::from(assignment_model(AssignmentId::generate(), new, Utc::now()))
        .insert(tx)
        .await?;
    tx.created(&created);
    Ok(created)
}

/// The first assignments of a task just created, each role with the input that names its agency:
/// the same checks as [`insert_assignment`], in a fixed number of statements however many there are.
pub(super) async fn insert_first_assignments(
    tx: &Tx,
    task: TaskId,
    roles: &[(AgencyId, AssignmentRole, &str)],
    assigned_on: NaiveDate,
) -> Result<()> {
    let wanted: Vec<(AgencyId, &str)> = roles.iter().map(|&(agency, _, field)| (agency, field)).collect();
    let agencies = require_agencies_on(tx, &wanted, assigned_on).await?;
    let now = Utc::now();
    let mut rows: Vec<task_assignment::Model> = Vec::with_capacity(roles.len());
    for (agency, &(_, role, field)) in agencies.iter().zip(roles) {
        if let Some(earlier) = rows.iter().find(|r| r.agency_id == agency.id) {
            return Err(already_assigned(agency, earlier.role, field));
        }
        let new = NewAssignment { task, agency: AgencyId(agency.id), role, assigned_on, reason: None, event: None };
        rows.push(assignment_model(AssignmentId::generate(), new, now));
    }
    Entity::insert_many(rows.iter().cloned().map(task_assignment::ActiveModel::from)).exec(tx).await?;
    for row in &rows {
        tx.created(row);
    }
    Ok(())
}

impl Tx {
    pub async fn assign_task(&self, new: NewAssignment) -> Result<task_assignment::Model> {
        lock::<entity::task::Entity, _>(self, new.task.0).await?;
        insert_assignment(self, new, "agencyId").await
    }

    /// Ends the agency's current assignment on the task on `ended_on`.
    pub async fn unassign_task(
        &self,
        task: TaskId,
        agency: AgencyId,
        ended_on: NaiveDate,
    ) -> Result<task_assignment::Model> {
        lock::<entity::task::Entity, _>(self, task.0).await?;
        let current = current_assignments(self, task)
            .await?
            .into_iter()
            .find(|a| a.agency_id == agency.0)
            .ok_or_else(|| Error::not_found("the agency holds no current assignment on this task"))?;
        check_span(current.assigned_on, Some(ended_on))?;
        end_assignment(self, current, ended_on).await
    }

    /// Corrects an assignment: its role, its dates, its reason.
    pub async fn update_assignment(
        &self,
        id: AssignmentId,
        expected: i32,
        ch: AssignmentChanges,
    ) -> Result<task_assignment::Model> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        let role = ch.role.unwrap_or(current.role);
        let assigned_on = ch.assigned_on.unwrap_or(current.assigned_on);
        let ended_on = ch.ended_on.unwrap_or(current.ended_on);
        check_span(assigned_on, ended_on)?;
        let agency = match ch.assigned_on {
            Some(day) => require_agency_on(self, AgencyId(current.agency_id), day, "assignedOn").await?,
            None => require_agency(self, AgencyId(current.agency_id), "role").await?,
        };
        if ended_on.is_none() {
            check_fits(self, TaskId(current.task_id), &agency, role, Some(id.0), "role").await?;
        }
        let (version, now) = bump(current.version);
        let before = current.clone();
        let mut model: task_assignment::ActiveModel = current.into();
        model.role = Set(role);
        model.assigned_on = Set(assigned_on);
        model.ended_on = Set(ended_on);
        if let Some(reason) = ch.reason {
            model.reason = Set(reason);
        }
        model.version = Set(version);
        model.updated_at = Set(now);
        let after = model.update(self).await?;
        self.updated(&before, &after);
        Ok(after)
    }

    /// Removes an assignment made in error; one that merely ended should stay, as history.
    pub async fn delete_assignment(&self, id: AssignmentId, expected: i32) -> Result<()> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        Entity::delete_by_id(id.0).exec(self).await?;
        self.deleted(&current);
        Ok(())
    }
}
