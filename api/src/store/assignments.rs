//! Who presides over and who coordinates each task. Ending an assignment keeps its row as history.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::sea_orm_active_enums::AssignmentRole;
use entity::task_assignment::{self, Column, Entity};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use super::agencies::require_agency;
use super::locks::{bump, lock};
use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::ids::{AgencyId, AssignmentId, TaskId};

#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub task: TaskId,
    pub agency: AgencyId,
    pub role: AssignmentRole,
    pub assigned_on: NaiveDate,
    pub reason: Option<String>,
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
        let mut out: HashMap<Uuid, Vec<task_assignment::Model>> = HashMap::new();
        for row in rows {
            out.entry(row.task_id).or_default().push(row);
        }
        Ok(out)
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

/// Inserts an assignment after checking the agency and the one-presiding-agency rule.
pub(super) async fn insert_assignment(tx: &Tx, new: NewAssignment, field: &str) -> Result<task_assignment::Model> {
    let agency = require_agency(tx, new.agency, field).await?;
    let current = current_assignments(tx, new.task).await?;
    if let Some(existing) = current.iter().find(|a| a.agency_id == new.agency.0) {
        return Err(Error::conflict(format!(
            "agency {} is already assigned to this task as {}",
            agency.code, existing.role
        ))
        .with_field(field));
    }
    if new.role == AssignmentRole::Presiding && current.iter().any(|a| a.role == AssignmentRole::Presiding) {
        return Err(Error::conflict(
            "the task already has a presiding agency; unassign it first (its assignment is kept as history)",
        )
        .with_field(field));
    }
    let now = Utc::now();
    Ok(task_assignment::ActiveModel {
        id: Set(AssignmentId::generate().0),
        task_id: Set(new.task.0),
        agency_id: Set(new.agency.0),
        role: Set(new.role),
        assigned_on: Set(new.assigned_on),
        ended_on: Set(None),
        reason: Set(new.reason),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?)
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
        if ended_on < current.assigned_on {
            return Err(Error::bad_field(
                "endedOn",
                format!("endedOn cannot be before the assignment began ({})", current.assigned_on),
            ));
        }
        let (version, now) = bump(current.version);
        let mut model: task_assignment::ActiveModel = current.into();
        model.ended_on = Set(Some(ended_on));
        model.version = Set(version);
        model.updated_at = Set(now);
        Ok(model.update(self).await?)
    }
}
