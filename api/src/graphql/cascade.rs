//! Mutations of the cascade: task lineage and deadline extensions.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::context::request;
use super::mutation::{Idempotency, TaskPayload, may_edit, write};
use super::scalars::Date;
use super::types::Task;
use crate::domain::text;
use crate::error::Result;
use crate::ids::{DocumentId, TaskId};
use crate::store::{NewExtension, Subject};

#[derive(InputObject)]
pub struct LinkTasksInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    /// The task that carries the other out (a provincial task, say).
    pub from_id: ID,
    /// The task carried out (the national task).
    pub to_id: ID,
}

#[derive(SimpleObject)]
pub struct LinkTasksPayload {
    pub from: Task,
    pub to: Task,
}

#[derive(InputObject)]
pub struct ExtendTaskDeadlineInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub task_id: ID,
    pub expected_version: i32,
    /// The new deadline; later than the current one.
    pub new_due_on: Date,
    /// The document that approved the extension.
    pub approved_by_id: ID,
    /// The day from which the new deadline counts; the approving document's date of issue when not given.
    pub effective_on: Option<Date>,
    pub reason: Option<String>,
}

#[derive(Default)]
pub struct CascadeMutation;

#[Object]
impl CascadeMutation {
    /// Records that the task `fromId` carries out the task `toId` (a provincial task derived from a
    /// national one). Linking twice is not an error; a link that would close a cycle is refused.
    /// Needs the right to edit the task `fromId`.
    async fn link_tasks(&self, ctx: &Context<'_>, input: LinkTasksInput) -> Result<LinkTasksPayload> {
        let rc = request(ctx);
        let from = TaskId::from_global(&input.from_id, "fromId")?;
        let to = TaskId::from_global(&input.to_id, "toId")?;
        let (from, to) = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Task(from.0)).await?;
            tx.link_tasks(from, to).await
        })
        .await?;
        Ok(LinkTasksPayload { from: Task(from), to: Task(to) })
    }

    async fn unlink_tasks(&self, ctx: &Context<'_>, input: LinkTasksInput) -> Result<LinkTasksPayload> {
        let rc = request(ctx);
        let from = TaskId::from_global(&input.from_id, "fromId")?;
        let to = TaskId::from_global(&input.to_id, "toId")?;
        let (from, to) = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Task(from.0)).await?;
            tx.unlink_tasks(from, to).await
        })
        .await?;
        Ok(LinkTasksPayload { from: Task(from), to: Task(to) })
    }

    /// Moves a task's date or year deadline to a later date approved by a document. The task's
    /// deadline becomes the new date; the old one stays in `deadlineExtensions`, and status on a
    /// day before the extension took effect is judged by it.
    async fn extend_task_deadline(&self, ctx: &Context<'_>, input: ExtendTaskDeadlineInput) -> Result<TaskPayload> {
        let rc = request(ctx);
        let new = NewExtension {
            task: TaskId::from_global(&input.task_id, "taskId")?,
            new_due_on: input.new_due_on.0,
            approved_by: DocumentId::from_global(&input.approved_by_id, "approvedById")?,
            effective_on: input.effective_on.map(|d| d.0),
            reason: text::optional("reason", input.reason.as_deref())?,
        };
        let task = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Task(new.task.0)).await?;
            tx.extend_deadline(input.expected_version, new.clone()).await
        })
        .await?;
        Ok(TaskPayload { task: Task(task) })
    }
}
