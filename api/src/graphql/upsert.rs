//! Batch create-or-update by another system's keys: what a province's system sends to keep this
//! service in step with its own records. Each batch is one transaction.

use async_graphql::{Context, InputObject, Object, SimpleObject};

use super::context::{RequestContext, request, today};
use super::mutation::{AgencyFields, DocumentFields, Idempotency, TaskFields, may_edit, write};
use super::types::{Agency, Document, Task};
use crate::domain::policy::Action;
use crate::error::{Error, Result};
use crate::store::{Subject, Tx};

/// The most items one batch may hold; send more in several batches.
pub const MAX_BATCH: usize = 500;

#[derive(InputObject)]
pub struct AgencyUpsert {
    /// The agency's key in the source system.
    pub external_id: String,
    #[graphql(flatten)]
    pub agency: AgencyFields,
}

#[derive(InputObject)]
pub struct UpsertAgenciesInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    /// The system the external ids belong to, e.g. `hung-yen-egov`.
    pub source: String,
    pub items: Vec<AgencyUpsert>,
}

#[derive(SimpleObject)]
pub struct UpsertAgenciesPayload {
    /// In the order of the items.
    pub agencies: Vec<Agency>,
}

#[derive(InputObject)]
pub struct DocumentUpsert {
    pub external_id: String,
    #[graphql(flatten)]
    pub document: DocumentFields,
}

#[derive(InputObject)]
pub struct UpsertDocumentsInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub source: String,
    pub items: Vec<DocumentUpsert>,
}

#[derive(SimpleObject)]
pub struct UpsertDocumentsPayload {
    pub documents: Vec<Document>,
}

#[derive(InputObject)]
pub struct TaskUpsert {
    pub external_id: String,
    /// With the presiding and coordinating agencies the task must have: those no longer named end
    /// today and stay as history.
    #[graphql(flatten)]
    pub task: TaskFields,
}

#[derive(InputObject)]
pub struct UpsertTasksInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub source: String,
    pub items: Vec<TaskUpsert>,
}

#[derive(SimpleObject)]
pub struct UpsertTasksPayload {
    pub tasks: Vec<Task>,
}

/// Checks the source and the batch size.
fn batch(source: &str, len: usize) -> Result<String> {
    if len > MAX_BATCH {
        return Err(Error::bad_field("items", format!("a batch holds at most {MAX_BATCH} items, not {len}")));
    }
    let source = source.trim();
    if source.is_empty() || source.len() > 100 {
        return Err(Error::bad_field("source", "source must name the sending system in 1 to 100 characters"));
    }
    Ok(source.to_owned())
}

fn external_id(value: &str) -> Result<String> {
    let id = value.trim();
    if id.is_empty() || id.len() > 200 {
        return Err(Error::bad_field("externalId", "externalId must be 1 to 200 characters"));
    }
    Ok(id.to_owned())
}

/// Names the item an error is about, in the message and in the field (`items[3].code`).
fn in_item(i: usize, err: Error) -> Error {
    let field = err.field.as_deref().map(|f| format!("items[{i}].{f}"));
    Error { message: format!("item {i}: {}", err.message), field, ..err }
}

#[derive(Default)]
pub struct UpsertMutation;

/// An item's input, checked, with any error naming the item.
fn checked<T>(i: usize, check: impl FnOnce() -> Result<T>) -> Result<T> {
    check().map_err(|e| in_item(i, e))
}

/// Checks a batch, then applies its items in one transaction, in order; any error names its item
/// and refuses the whole batch.
async fn upsert<I, N, M>(
    ctx: &Context<'_>,
    source: &str,
    items: Vec<I>,
    parse: impl Fn(I) -> Result<(String, N)>,
    apply: impl AsyncFn(&RequestContext, &Tx, &str, &str, N) -> Result<M>,
) -> Result<Vec<M>>
where
    M: serde::Serialize + serde::de::DeserializeOwned,
{
    let rc = request(ctx);
    let source = batch(source, items.len())?;
    let items =
        items.into_iter().enumerate().map(|(i, item)| checked(i, || parse(item))).collect::<Result<Vec<_>>>()?;
    write(ctx, async |tx| {
        let mut out = Vec::with_capacity(items.len());
        for (i, (external_id, new)) in items.into_iter().enumerate() {
            out.push(apply(rc, tx, &source, &external_id, new).await.map_err(|e| in_item(i, e))?);
        }
        Ok(out)
    })
    .await
}

#[Object]
impl UpsertMutation {
    /// Creates or updates agencies by their keys in `source`. Sending the same batch twice changes
    /// nothing the second time.
    async fn upsert_agencies(&self, ctx: &Context<'_>, input: UpsertAgenciesInput) -> Result<UpsertAgenciesPayload> {
        request(ctx).authorize(Action::ManageAgencies)?;
        let agencies = upsert(
            ctx,
            &input.source,
            input.items,
            |item| Ok((external_id(&item.external_id)?, item.agency.into_new()?)),
            async |_, tx, source, id, new| tx.upsert_agency(source, id, new).await,
        )
        .await?;
        Ok(UpsertAgenciesPayload { agencies: agencies.into_iter().map(Agency).collect() })
    }

    /// Creates or updates documents by their keys in `source`; `implementsIds` links are added.
    async fn upsert_documents(&self, ctx: &Context<'_>, input: UpsertDocumentsInput) -> Result<UpsertDocumentsPayload> {
        let documents = upsert(
            ctx,
            &input.source,
            input.items,
            |item| Ok((external_id(&item.external_id)?, item.document.into_new()?)),
            async |rc, tx, source, id, new| {
                may_edit(rc, tx, Subject::Agency(new.issuer.0, "issuerId")).await?;
                let target = tx.document_target(source, id, &new).await?;
                if let Some(existing) = target.existing() {
                    may_edit(rc, tx, Subject::Document(existing)).await?;
                }
                tx.upsert_document(target, source, id, new).await
            },
        )
        .await?;
        Ok(UpsertDocumentsPayload { documents: documents.into_iter().map(Document).collect() })
    }

    /// Creates or updates tasks, with their agencies, by their keys in `source`.
    async fn upsert_tasks(&self, ctx: &Context<'_>, input: UpsertTasksInput) -> Result<UpsertTasksPayload> {
        let tasks = upsert(
            ctx,
            &input.source,
            input.items,
            |item| Ok((external_id(&item.external_id)?, item.task.into_new()?)),
            async |rc, tx, source, id, new| {
                may_edit(rc, tx, Subject::Document(new.document.0)).await?;
                let target = tx.task_target(source, id, &new).await?;
                if let Some(existing) = target.existing() {
                    may_edit(rc, tx, Subject::Task(existing)).await?;
                }
                tx.upsert_task(target, source, id, new, today()).await
            },
        )
        .await?;
        Ok(UpsertTasksPayload { tasks: tasks.into_iter().map(Task).collect() })
    }
}
