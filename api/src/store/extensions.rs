//! Deadline extensions: a later document moves a task's deadline. The task holds the newest date;
//! each extension keeps the date it replaced, so that status on an earlier day is judged by the
//! deadline of that day.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::sea_orm_active_enums::DeadlineKind;
use entity::{deadline_extension as extension, task};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::documents::require_document;
use super::locks::{bump, lock_version};
use super::tasks::set_deadline;
use super::{Store, Tx};
use crate::domain::deadline::Deadline;
use crate::error::{Error, Result};
use crate::ids::{DocumentId, TaskId};

#[derive(Debug, Clone)]
pub struct NewExtension {
    pub task: TaskId,
    pub new_due_on: NaiveDate,
    pub approved_by: DocumentId,
    /// Defaults to the approving document's date of issue.
    pub effective_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

impl Tx {
    pub async fn extend_deadline(&self, expected: i32, new: NewExtension) -> Result<task::Model> {
        let current = lock_version::<task::Entity, _>(self, new.task.0, expected).await?;
        let Some(previous) = current.due_on else {
            let kind = match current.deadline_kind {
                DeadlineKind::Recurring => "a recurring task",
                _ => "a regular task with no deadline",
            };
            return Err(Error::bad_field(
                "taskId",
                format!("only a date or year deadline can be extended, and this is {kind}"),
            ));
        };
        if new.new_due_on <= previous {
            return Err(Error::bad_field(
                "newDueOn",
                format!("the new deadline must be later than the current one, {previous}"),
            ));
        }
        let approving = require_document(self, new.approved_by, "approvedById").await?;
        let effective_on = new.effective_on.unwrap_or(approving.issued_on);
        if effective_on < approving.issued_on {
            return Err(Error::bad_field(
                "effectiveOn",
                format!("an extension cannot take effect before {} approving it was issued", approving.symbol),
            ));
        }
        if let Some(last) = current.extended_on
            && effective_on < last
        {
            return Err(Error::bad_field(
                "effectiveOn",
                format!("the latest extension of this task took effect on {last}; a new one cannot take effect before"),
            ));
        }
        let now = Utc::now();
        let created = extension::ActiveModel {
            id: Set(Uuid::now_v7()),
            task_id: Set(current.id),
            previous_due_on: Set(previous),
            new_due_on: Set(new.new_due_on),
            approved_by_id: Set(Some(approving.id)),
            effective_on: Set(effective_on),
            reason: Set(new.reason),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self)
        .await?;
        self.created(&created);

        let (version, now) = bump(current.version);
        let before = current.clone();
        let mut model: task::ActiveModel = current.into();
        set_deadline(&mut model, Deadline::Date(new.new_due_on));
        model.extended_on = Set(Some(effective_on));
        model.version = Set(version);
        model.updated_at = Set(now);
        let after = model.update(self).await?;
        self.updated(&before, &after);
        Ok(after)
    }
}

impl Store {
    /// The extensions of each task, oldest first.
    pub async fn extensions_of(&self, tasks: &[Uuid]) -> Result<HashMap<Uuid, Vec<extension::Model>>> {
        let rows = extension::Entity::find()
            .filter(extension::Column::TaskId.is_in(tasks.iter().copied()))
            .order_by_asc(extension::Column::EffectiveOn)
            .order_by_asc(extension::Column::Id)
            .all(self.conn())
            .await?;
        Ok(super::group_by(rows, |r| r.task_id))
    }
}
