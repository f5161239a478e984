//! The root mutation fields. Each takes one `input`, runs in one transaction, returns a payload.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::NaiveDate;
use entity::sea_orm_active_enums::{
    AgencyKind, AgencyLevel, AssignmentRole, DocumentKind, DocumentStatus, PeriodKind, ProgressState, Recurrence,
    RelationKind,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::context::{RequestContext, authorized, request, today};
use super::scalars::Date;
use super::types::{Agency, Document, ProgressReport, Task, TaskAssignment, TaskGroup};
use crate::domain::deadline::Deadline;
use crate::domain::i18n::Translations;
use crate::domain::policy::Action;
use crate::domain::progress::completion_date;
use crate::domain::symbol::DocumentSymbol;
use crate::domain::text;
use crate::error::{Error, Result};
use crate::ids::{AgencyId, AssignmentId, DocumentId, ReportId, TaskGroupId, TaskId};
use crate::store::{
    AgencyChanges, AssignmentChanges, DocumentChanges, NewAgency, NewAssignment, NewDocument, NewReport, NewTask,
    NewTaskGroup, ReportChanges, Subject, TaskChanges, TaskGroupChanges, Tx,
};

/// Runs `f` in one transaction on behalf of the caller: what it wrote, and the audit records of
/// it, are committed together, or nothing is.
///
/// With an `idempotencyKey` in its input, a retry of the same input returns the first result
/// without running `f` again; the key with another input is a CONFLICT.
pub(crate) async fn write<T>(ctx: &Context<'_>, f: impl AsyncFnOnce(&Tx) -> Result<T>) -> Result<T>
where
    T: Serialize + DeserializeOwned,
{
    let rc = request(ctx);
    let operation = ctx.field().name();
    let retry = retry_key(ctx)?;
    let audit = rc.audit(operation);
    let sub = audit.sub.clone();
    let tx = rc.store.begin(audit).await?;
    if let Some((key, hash)) = &retry
        && let Some(first) = tx.recall(&sub, key).await?
    {
        if first.operation == operation && &first.input_hash == hash {
            return serde_json::from_value(first.result).map_err(Error::internal);
        }
        return Err(Error::conflict(format!(
            "the idempotency key {key} was used for another input (of {}); use a new key for a new change",
            first.operation
        ))
        .with_field("idempotencyKey"));
    }
    let out = f(&tx).await?;
    if let Some((key, hash)) = retry {
        tx.keep(&sub, &key, operation, &hash, serde_json::to_value(&out).map_err(Error::internal)?).await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// The `idempotencyKey` of this mutation's input, with a hash of the whole input in canonical form
/// (object keys sorted), so that a retry matches whatever order its fields come in.
fn retry_key(ctx: &Context<'_>) -> Result<Option<(String, String)>> {
    let arguments = ctx.field().arguments().map_err(|e| Error::bad_input(e.message))?;
    let Some((_, input)) = arguments.into_iter().find(|(name, _)| name.as_str() == "input") else {
        return Ok(None);
    };
    let input = input.into_json().map_err(Error::internal)?;
    let Some(key) = input.get("idempotencyKey").and_then(|k| k.as_str()).map(str::trim) else {
        return Ok(None);
    };
    if key.is_empty() || key.len() > 200 {
        return Err(Error::bad_field("idempotencyKey", "idempotencyKey must be 1 to 200 characters"));
    }
    let digest = Sha256::digest(canonical(&input).as_bytes());
    Ok(Some((key.to_owned(), format!("{digest:x}"))))
}

fn canonical(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let fields: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", serde_json::Value::from(k.as_str()), canonical(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        serde_json::Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The policy's verdict on changing what `subject` belongs to, from facts read in the transaction.
pub(crate) async fn may_edit(rc: &RequestContext, tx: &Tx, subject: Subject) -> Result<()> {
    rc.authorize(Action::Edit { issuer_chain: &tx.issuer_chain(subject).await? })
}

/// `null` clears, absent leaves alone: the two cases an update must tell apart.
fn change<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// Cleans an optional text change, keeping "absent" and "cleared" apart.
fn text_change(field: &str, value: MaybeUndefined<String>) -> Result<Option<Option<String>>> {
    change(value).map(|v| text::optional(field, v.as_deref())).transpose()
}

fn symbol(value: &str) -> Result<DocumentSymbol> {
    DocumentSymbol::parse(value).map_err(|e| Error::bad_field("symbol", e.message()))
}

fn year(field: &str, value: Option<i32>) -> Result<Option<i32>> {
    match value {
        Some(y) if !(1945..=2100).contains(&y) => {
            Err(Error::bad_field(field, format!("{field} must be a year such as 2030")))
        }
        y => Ok(y),
    }
}

/// The retry key every mutation input carries.
#[derive(InputObject, Default)]
pub struct Idempotency {
    /// Makes the mutation safe to retry: sent again with the same key and the same input, it returns
    /// the first result without applying the change again; the same key with another input is a
    /// CONFLICT. Keys are kept at least 24 hours, per caller.
    // Read from the raw arguments by `write`, which hashes the whole input along with it.
    #[allow(dead_code)]
    pub idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct DeleteInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub id: ID,
    /// The version last read: a delete of a changed entity is refused with CONFLICT.
    pub expected_version: i32,
}

#[derive(SimpleObject)]
pub struct DeletePayload {
    pub deleted_id: ID,
}

#[derive(InputObject)]
pub struct CreateAgencyInput {
    #[graphql(flatten)]
    pub fields: AgencyFields,
    #[graphql(flatten)]
    pub once: Idempotency,
}

/// The fields of a new entity, shared by its create mutation and the items of its upsert.
#[derive(InputObject)]
pub struct AgencyFields {
    pub code: String,
    /// The Vietnamese name.
    pub name: String,
    pub name_en: Option<String>,
    pub kind: AgencyKind,
    pub level: AgencyLevel,
    pub parent_id: Option<ID>,
}

#[derive(InputObject)]
pub struct UpdateAgencyInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub id: ID,
    pub expected_version: i32,
    pub code: Option<String>,
    pub name: Option<String>,
    #[graphql(default)]
    pub name_en: MaybeUndefined<String>,
    pub kind: Option<AgencyKind>,
    pub level: Option<AgencyLevel>,
    /// `null` detaches the agency from its parent.
    #[graphql(default)]
    pub parent_id: MaybeUndefined<ID>,
}

#[derive(SimpleObject)]
pub struct AgencyPayload {
    pub agency: Agency,
}

#[derive(InputObject)]
pub struct CreateDocumentInput {
    #[graphql(flatten)]
    pub fields: DocumentFields,
    #[graphql(flatten)]
    pub once: Idempotency,
}

/// The fields of a new entity, shared by its create mutation and the items of its upsert.
#[derive(InputObject)]
pub struct DocumentFields {
    /// The number and symbol in any accepted spelling; stored normalized.
    pub symbol: String,
    pub issuer_id: ID,
    pub issued_on: Date,
    /// The Vietnamese title.
    pub title: String,
    pub title_en: Option<String>,
    /// Defaults to the kind that the symbol's type code announces.
    pub kind: Option<DocumentKind>,
    /// Documents this one carries out.
    pub implements_ids: Option<Vec<ID>>,
    pub summary: Option<String>,
    pub summary_en: Option<String>,
    pub horizon_year: Option<i32>,
    /// Defaults to IN_FORCE.
    pub status: Option<DocumentStatus>,
    pub source_url: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateDocumentInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub id: ID,
    pub expected_version: i32,
    pub symbol: Option<String>,
    pub issuer_id: Option<ID>,
    pub issued_on: Option<Date>,
    pub title: Option<String>,
    #[graphql(default)]
    pub title_en: MaybeUndefined<String>,
    pub kind: Option<DocumentKind>,
    #[graphql(default)]
    pub summary: MaybeUndefined<String>,
    #[graphql(default)]
    pub summary_en: MaybeUndefined<String>,
    #[graphql(default)]
    pub horizon_year: MaybeUndefined<i32>,
    pub status: Option<DocumentStatus>,
    #[graphql(default)]
    pub source_url: MaybeUndefined<String>,
}

#[derive(SimpleObject)]
pub struct DocumentPayload {
    pub document: Document,
}

#[derive(InputObject)]
pub struct LinkDocumentsInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    /// The document that relates: for IMPLEMENTS, the one that carries the other out.
    pub from_id: ID,
    pub to_id: ID,
    pub kind: RelationKind,
}

#[derive(SimpleObject)]
pub struct LinkDocumentsPayload {
    pub from: Document,
    pub to: Document,
}

#[derive(InputObject)]
pub struct CreateTaskGroupInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub document_id: ID,
    pub code: String,
    pub title: String,
    pub title_en: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateTaskGroupInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub id: ID,
    pub expected_version: i32,
    pub code: Option<String>,
    pub title: Option<String>,
    #[graphql(default)]
    pub title_en: MaybeUndefined<String>,
}

#[derive(SimpleObject)]
pub struct TaskGroupPayload {
    pub task_group: TaskGroup,
}

/// At most one of `date`, `year` (due 31 December) and `recurrence`; none for a regular task.
#[derive(InputObject, Default)]
pub struct DeadlineInput {
    pub date: Option<Date>,
    pub year: Option<i32>,
    pub recurrence: Option<Recurrence>,
}

impl DeadlineInput {
    fn into_deadline(self) -> Result<Deadline> {
        Deadline::from_parts(self.date.map(|d| d.0), self.year, self.recurrence)
    }
}

#[derive(InputObject)]
pub struct CreateTaskInput {
    #[graphql(flatten)]
    pub fields: TaskFields,
    #[graphql(flatten)]
    pub once: Idempotency,
}

/// The fields of a new entity, shared by its create mutation and the items of its upsert.
#[derive(InputObject)]
pub struct TaskFields {
    pub document_id: ID,
    /// The task's code within the document, e.g. `1` or `2.3`.
    pub code: String,
    /// What the task asks for, in Vietnamese.
    pub content: String,
    pub content_en: Option<String>,
    pub title: Option<String>,
    pub title_en: Option<String>,
    /// The presiding agency (chủ trì).
    pub lead_agency_id: ID,
    /// The coordinating agencies (phối hợp).
    pub coordinator_ids: Option<Vec<ID>>,
    pub deadline: Option<DeadlineInput>,
    pub group_id: Option<ID>,
    pub parent_id: Option<ID>,
    pub expected_output: Option<String>,
    /// Defaults to the document's date of issue.
    pub assigned_on: Option<Date>,
}

#[derive(InputObject)]
pub struct UpdateTaskInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub id: ID,
    pub expected_version: i32,
    pub code: Option<String>,
    #[graphql(default)]
    pub title: MaybeUndefined<String>,
    #[graphql(default)]
    pub title_en: MaybeUndefined<String>,
    pub content: Option<String>,
    #[graphql(default)]
    pub content_en: MaybeUndefined<String>,
    #[graphql(default)]
    pub expected_output: MaybeUndefined<String>,
    /// Replaces the deadline; `{}` makes the task a regular one.
    pub deadline: Option<DeadlineInput>,
    #[graphql(default)]
    pub group_id: MaybeUndefined<ID>,
    #[graphql(default)]
    pub parent_id: MaybeUndefined<ID>,
}

#[derive(SimpleObject)]
pub struct TaskPayload {
    pub task: Task,
}

#[derive(InputObject)]
pub struct AssignTaskInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub task_id: ID,
    pub agency_id: ID,
    pub role: AssignmentRole,
    /// Defaults to today.
    pub assigned_on: Option<Date>,
    pub reason: Option<String>,
}

#[derive(InputObject)]
pub struct UnassignTaskInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub task_id: ID,
    pub agency_id: ID,
    /// The last day of responsibility; defaults to today. The assignment is kept as history.
    pub ended_on: Option<Date>,
}

#[derive(SimpleObject)]
pub struct AssignmentPayload {
    pub task: Task,
    pub assignment: TaskAssignment,
}

/// Corrects an assignment. To hand a task to another agency, unassign one and assign the other.
#[derive(InputObject)]
pub struct UpdateTaskAssignmentInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub id: ID,
    pub expected_version: i32,
    pub role: Option<AssignmentRole>,
    pub assigned_on: Option<Date>,
    /// `null` makes the assignment current again.
    #[graphql(default)]
    pub ended_on: MaybeUndefined<Date>,
    #[graphql(default)]
    pub reason: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct SetTaskProgressInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub id: ID,
    pub expected_version: i32,
    pub progress_state: ProgressState,
    /// Only with COMPLETED; defaults to today.
    pub completed_on: Option<Date>,
}

#[derive(InputObject)]
pub struct SubmitProgressReportInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub task_id: ID,
    /// The reporting agency: it must be assigned to the task during the period.
    pub agency_id: ID,
    pub period_kind: PeriodKind,
    pub period_start: Date,
    pub period_end: Date,
    pub percent_complete: i32,
    pub narrative: String,
}

#[derive(InputObject)]
pub struct UpdateProgressReportInput {
    #[graphql(flatten)]
    pub once: Idempotency,
    pub id: ID,
    pub expected_version: i32,
    pub period_kind: Option<PeriodKind>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub percent_complete: Option<i32>,
    pub narrative: Option<String>,
}

#[derive(SimpleObject)]
pub struct ProgressReportPayload {
    pub progress_report: ProgressReport,
}

impl AgencyFields {
    pub(super) fn into_new(self) -> Result<NewAgency> {
        Ok(NewAgency {
            code: text::agency_code("code", &self.code)?,
            name: text::required("name", &self.name)?,
            translations: Translations::with("nameEn", "en", self.name_en.as_deref())?,
            kind: self.kind,
            level: self.level,
            parent: self.parent_id.map(|id| AgencyId::from_global(&id, "parentId")).transpose()?,
        })
    }
}

impl DocumentFields {
    pub(super) fn into_new(self) -> Result<NewDocument> {
        Ok(NewDocument {
            symbol: symbol(&self.symbol)?,
            kind: self.kind,
            issuer: AgencyId::from_global(&self.issuer_id, "issuerId")?,
            issued_on: self.issued_on.0,
            title: text::required("title", &self.title)?,
            title_translations: Translations::with("titleEn", "en", self.title_en.as_deref())?,
            summary: text::optional("summary", self.summary.as_deref())?,
            summary_translations: Translations::with("summaryEn", "en", self.summary_en.as_deref())?,
            horizon_year: year("horizonYear", self.horizon_year)?,
            status: self.status.unwrap_or(DocumentStatus::InForce),
            source_url: text::url("sourceUrl", self.source_url.as_deref())?,
            implements: ids(self.implements_ids, |id| DocumentId::from_global(id, "implementsIds"))?,
        })
    }
}

impl TaskFields {
    pub(super) fn into_new(self) -> Result<NewTask> {
        Ok(NewTask {
            document: DocumentId::from_global(&self.document_id, "documentId")?,
            group: self.group_id.map(|id| TaskGroupId::from_global(&id, "groupId")).transpose()?,
            parent: self.parent_id.map(|id| TaskId::from_global(&id, "parentId")).transpose()?,
            code: text::local_code("code", &self.code)?,
            title: text::optional("title", self.title.as_deref())?,
            title_translations: Translations::with("titleEn", "en", self.title_en.as_deref())?,
            content: text::required("content", &self.content)?,
            content_translations: Translations::with("contentEn", "en", self.content_en.as_deref())?,
            expected_output: text::optional("expectedOutput", self.expected_output.as_deref())?,
            deadline: self.deadline.unwrap_or_default().into_deadline()?,
            lead: AgencyId::from_global(&self.lead_agency_id, "leadAgencyId")?,
            coordinators: unique(ids(self.coordinator_ids, |id| AgencyId::from_global(id, "coordinatorIds"))?)?,
            assigned_on: day(self.assigned_on),
        })
    }
}

fn ids<T>(values: Option<Vec<ID>>, parse: impl Fn(&str) -> Result<T>) -> Result<Vec<T>> {
    values.unwrap_or_default().iter().map(|id| parse(id)).collect()
}

fn day(value: Option<Date>) -> Option<NaiveDate> {
    value.map(|d| d.0)
}

#[derive(Default)]
pub struct Mutation;

#[Object(name = "EntityMutation")]
impl Mutation {
    async fn create_agency(&self, ctx: &Context<'_>, input: CreateAgencyInput) -> Result<AgencyPayload> {
        authorized(ctx, Action::ManageAgencies)?;
        let new = input.fields.into_new()?;
        let agency = write(ctx, async |tx| tx.create_agency(new).await).await?;
        Ok(AgencyPayload { agency: Agency(agency) })
    }

    async fn update_agency(&self, ctx: &Context<'_>, input: UpdateAgencyInput) -> Result<AgencyPayload> {
        authorized(ctx, Action::ManageAgencies)?;
        let id = AgencyId::from_global(&input.id, "id")?;
        let changes = AgencyChanges {
            code: input.code.map(|c| text::agency_code("code", &c)).transpose()?,
            name: input.name.map(|n| text::required("name", &n)).transpose()?,
            name_en: text_change("nameEn", input.name_en)?,
            kind: input.kind,
            level: input.level,
            parent: change(input.parent_id)
                .map(|p| p.map(|id| AgencyId::from_global(&id, "parentId")).transpose())
                .transpose()?,
            ..Default::default()
        };
        let agency = write(ctx, async |tx| tx.update_agency(id, input.expected_version, changes).await).await?;
        Ok(AgencyPayload { agency: Agency(agency) })
    }

    /// Deletes an agency that nothing refers to.
    async fn delete_agency(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        authorized(ctx, Action::ManageAgencies)?;
        let id = AgencyId::from_global(&input.id, "id")?;
        write(ctx, async |tx| tx.delete_agency(id, input.expected_version).await).await?;
        Ok(DeletePayload { deleted_id: input.id })
    }

    async fn create_document(&self, ctx: &Context<'_>, input: CreateDocumentInput) -> Result<DocumentPayload> {
        let rc = request(ctx);
        let new = input.fields.into_new()?;
        let document = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Agency(new.issuer.0, "issuerId")).await?;
            tx.create_document(new).await
        })
        .await?;
        Ok(DocumentPayload { document: Document(document) })
    }

    async fn update_document(&self, ctx: &Context<'_>, input: UpdateDocumentInput) -> Result<DocumentPayload> {
        let rc = request(ctx);
        let id = DocumentId::from_global(&input.id, "id")?;
        let changes = DocumentChanges {
            symbol: input.symbol.as_deref().map(symbol).transpose()?,
            kind: input.kind,
            issuer: input.issuer_id.map(|id| AgencyId::from_global(&id, "issuerId")).transpose()?,
            issued_on: day(input.issued_on),
            title: input.title.map(|t| text::required("title", &t)).transpose()?,
            title_en: text_change("titleEn", input.title_en)?,
            summary: text_change("summary", input.summary)?,
            summary_en: text_change("summaryEn", input.summary_en)?,
            horizon_year: change(input.horizon_year).map(|y| year("horizonYear", y)).transpose()?,
            status: input.status,
            source_url: change(input.source_url).map(|u| text::url("sourceUrl", u.as_deref())).transpose()?,
        };
        let document = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Document(id.0)).await?;
            // Handing a document to another issuer needs the right over that one too.
            if let Some(issuer) = changes.issuer {
                may_edit(rc, tx, Subject::Agency(issuer.0, "issuerId")).await?;
            }
            tx.update_document(id, input.expected_version, changes).await
        })
        .await?;
        Ok(DocumentPayload { document: Document(document) })
    }

    /// Deletes a document with its task groups, tasks, assignments, progress reports and links.
    async fn delete_document(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        let rc = request(ctx);
        let id = DocumentId::from_global(&input.id, "id")?;
        write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Document(id.0)).await?;
            tx.delete_document(id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload { deleted_id: input.id })
    }

    /// Links two documents: `from` KIND `to`. IMPLEMENTS and REPLACES links never form a cycle.
    async fn link_documents(&self, ctx: &Context<'_>, input: LinkDocumentsInput) -> Result<LinkDocumentsPayload> {
        let rc = request(ctx);
        let from = DocumentId::from_global(&input.from_id, "fromId")?;
        let to = DocumentId::from_global(&input.to_id, "toId")?;
        let (from, to) = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Document(from.0)).await?;
            tx.link_documents(from, to, input.kind).await
        })
        .await?;
        Ok(LinkDocumentsPayload { from: Document(from), to: Document(to) })
    }

    async fn unlink_documents(&self, ctx: &Context<'_>, input: LinkDocumentsInput) -> Result<LinkDocumentsPayload> {
        let rc = request(ctx);
        let from = DocumentId::from_global(&input.from_id, "fromId")?;
        let to = DocumentId::from_global(&input.to_id, "toId")?;
        let (from, to) = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Document(from.0)).await?;
            tx.unlink_documents(from, to, input.kind).await
        })
        .await?;
        Ok(LinkDocumentsPayload { from: Document(from), to: Document(to) })
    }

    async fn create_task_group(&self, ctx: &Context<'_>, input: CreateTaskGroupInput) -> Result<TaskGroupPayload> {
        let rc = request(ctx);
        let new = NewTaskGroup {
            document: DocumentId::from_global(&input.document_id, "documentId")?,
            code: text::local_code("code", &input.code)?,
            title: text::required("title", &input.title)?,
            translations: Translations::with("titleEn", "en", input.title_en.as_deref())?,
        };
        let group = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Document(new.document.0)).await?;
            tx.create_task_group(new).await
        })
        .await?;
        Ok(TaskGroupPayload { task_group: TaskGroup(group) })
    }

    async fn update_task_group(&self, ctx: &Context<'_>, input: UpdateTaskGroupInput) -> Result<TaskGroupPayload> {
        let rc = request(ctx);
        let id = TaskGroupId::from_global(&input.id, "id")?;
        let changes = TaskGroupChanges {
            code: input.code.map(|c| text::local_code("code", &c)).transpose()?,
            title: input.title.map(|t| text::required("title", &t)).transpose()?,
            title_en: text_change("titleEn", input.title_en)?,
        };
        let group = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::TaskGroup(id.0)).await?;
            tx.update_task_group(id, input.expected_version, changes).await
        })
        .await?;
        Ok(TaskGroupPayload { task_group: TaskGroup(group) })
    }

    /// Deletes a task group; its tasks stay in the document, ungrouped.
    async fn delete_task_group(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        let rc = request(ctx);
        let id = TaskGroupId::from_global(&input.id, "id")?;
        write(ctx, async |tx| {
            may_edit(rc, tx, Subject::TaskGroup(id.0)).await?;
            tx.delete_task_group(id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload { deleted_id: input.id })
    }

    /// Creates a task with its presiding and coordinating agencies.
    async fn create_task(&self, ctx: &Context<'_>, input: CreateTaskInput) -> Result<TaskPayload> {
        let rc = request(ctx);
        let new = input.fields.into_new()?;
        let task = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Document(new.document.0)).await?;
            tx.create_task(new).await
        })
        .await?;
        Ok(TaskPayload { task: Task(task) })
    }

    async fn update_task(&self, ctx: &Context<'_>, input: UpdateTaskInput) -> Result<TaskPayload> {
        let rc = request(ctx);
        let id = TaskId::from_global(&input.id, "id")?;
        let changes = TaskChanges {
            code: input.code.map(|c| text::local_code("code", &c)).transpose()?,
            title: text_change("title", input.title)?,
            title_en: text_change("titleEn", input.title_en)?,
            content: input.content.map(|c| text::required("content", &c)).transpose()?,
            content_en: text_change("contentEn", input.content_en)?,
            expected_output: text_change("expectedOutput", input.expected_output)?,
            deadline: input.deadline.map(DeadlineInput::into_deadline).transpose()?,
            group: change(input.group_id)
                .map(|g| g.map(|id| TaskGroupId::from_global(&id, "groupId")).transpose())
                .transpose()?,
            parent: change(input.parent_id)
                .map(|p| p.map(|id| TaskId::from_global(&id, "parentId")).transpose())
                .transpose()?,
        };
        let task = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Task(id.0)).await?;
            tx.update_task(id, input.expected_version, changes).await
        })
        .await?;
        Ok(TaskPayload { task: Task(task) })
    }

    /// Deletes a task with its subtasks, assignments and progress reports.
    async fn delete_task(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        let rc = request(ctx);
        let id = TaskId::from_global(&input.id, "id")?;
        write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Task(id.0)).await?;
            tx.delete_task(id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload { deleted_id: input.id })
    }

    /// Gives an agency a role on a task. A task has one presiding agency at a time.
    async fn assign_task(&self, ctx: &Context<'_>, input: AssignTaskInput) -> Result<AssignmentPayload> {
        let rc = request(ctx);
        let new = NewAssignment {
            task: TaskId::from_global(&input.task_id, "taskId")?,
            agency: AgencyId::from_global(&input.agency_id, "agencyId")?,
            role: input.role,
            assigned_on: day(input.assigned_on).unwrap_or_else(today),
            reason: text::optional("reason", input.reason.as_deref())?,
            event: None,
        };
        let task_id = new.task;
        let assignment = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Task(task_id.0)).await?;
            tx.assign_task(new).await
        })
        .await?;
        let task = rc.load_ref(task_id).await?;
        Ok(AssignmentPayload { task: Task(task), assignment: TaskAssignment(assignment) })
    }

    /// Ends an agency's current role on a task; the assignment stays as history.
    async fn unassign_task(&self, ctx: &Context<'_>, input: UnassignTaskInput) -> Result<AssignmentPayload> {
        let rc = request(ctx);
        let task_id = TaskId::from_global(&input.task_id, "taskId")?;
        let agency = AgencyId::from_global(&input.agency_id, "agencyId")?;
        let ended_on = day(input.ended_on).unwrap_or_else(today);
        let assignment = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Task(task_id.0)).await?;
            tx.unassign_task(task_id, agency, ended_on).await
        })
        .await?;
        let task = rc.load_ref(task_id).await?;
        Ok(AssignmentPayload { task: Task(task), assignment: TaskAssignment(assignment) })
    }

    async fn update_task_assignment(
        &self,
        ctx: &Context<'_>,
        input: UpdateTaskAssignmentInput,
    ) -> Result<AssignmentPayload> {
        let rc = request(ctx);
        let id = AssignmentId::from_global(&input.id, "id")?;
        let changes = AssignmentChanges {
            role: input.role,
            assigned_on: day(input.assigned_on),
            ended_on: change(input.ended_on).map(day),
            reason: text_change("reason", input.reason)?,
        };
        let assignment = write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Assignment(id.0)).await?;
            tx.update_assignment(id, input.expected_version, changes).await
        })
        .await?;
        let task = rc.load_ref(TaskId(assignment.task_id)).await?;
        Ok(AssignmentPayload { task: Task(task), assignment: TaskAssignment(assignment) })
    }

    /// Removes an assignment made in error. An assignment that ended belongs to the task's history:
    /// end it with `unassignTask` instead.
    async fn delete_task_assignment(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        let rc = request(ctx);
        let id = AssignmentId::from_global(&input.id, "id")?;
        write(ctx, async |tx| {
            may_edit(rc, tx, Subject::Assignment(id.0)).await?;
            tx.delete_assignment(id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload { deleted_id: input.id })
    }

    async fn set_task_progress(&self, ctx: &Context<'_>, input: SetTaskProgressInput) -> Result<TaskPayload> {
        let rc = request(ctx);
        let id = TaskId::from_global(&input.id, "id")?;
        let completed_on = completion_date(input.progress_state, day(input.completed_on), today())?;
        let task = write(ctx, async |tx| {
            rc.authorize(Action::SetProgress { assigned: &tx.assigned_codes(Subject::Task(id.0)).await? })?;
            tx.set_task_progress(id, input.expected_version, input.progress_state, completed_on).await
        })
        .await?;
        Ok(TaskPayload { task: Task(task) })
    }

    async fn submit_progress_report(
        &self,
        ctx: &Context<'_>,
        input: SubmitProgressReportInput,
    ) -> Result<ProgressReportPayload> {
        let rc = request(ctx);
        let new = NewReport {
            task: TaskId::from_global(&input.task_id, "taskId")?,
            agency: AgencyId::from_global(&input.agency_id, "agencyId")?,
            period_kind: input.period_kind,
            period_start: input.period_start.0,
            period_end: input.period_end.0,
            percent_complete: input.percent_complete,
            narrative: text::required("narrative", &input.narrative)?,
        };
        let report = write(ctx, async |tx| {
            let reporter = tx.issuer_chain(Subject::Agency(new.agency.0, "agencyId")).await?.remove(0);
            let assigned = tx.assigned_codes(Subject::Task(new.task.0)).await?;
            rc.authorize(Action::Report { reporter: &reporter, assigned: &assigned })?;
            tx.submit_report(new).await
        })
        .await?;
        Ok(ProgressReportPayload { progress_report: ProgressReport(report) })
    }

    async fn update_progress_report(
        &self,
        ctx: &Context<'_>,
        input: UpdateProgressReportInput,
    ) -> Result<ProgressReportPayload> {
        let rc = request(ctx);
        let id = ReportId::from_global(&input.id, "id")?;
        let changes = ReportChanges {
            period_kind: input.period_kind,
            period_start: day(input.period_start),
            period_end: day(input.period_end),
            percent_complete: input.percent_complete,
            narrative: input.narrative.map(|n| text::required("narrative", &n)).transpose()?,
        };
        let report = write(ctx, async |tx| {
            may_report_on(rc, tx, id).await?;
            tx.update_report(id, input.expected_version, changes).await
        })
        .await?;
        Ok(ProgressReportPayload { progress_report: ProgressReport(report) })
    }

    async fn delete_progress_report(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        let rc = request(ctx);
        let id = ReportId::from_global(&input.id, "id")?;
        write(ctx, async |tx| {
            may_report_on(rc, tx, id).await?;
            tx.delete_report(id, input.expected_version).await
        })
        .await?;
        Ok(DeletePayload { deleted_id: input.id })
    }
}

/// A report may be changed by whoever may submit it: its own agency, still assigned to the task.
async fn may_report_on(rc: &RequestContext, tx: &Tx, report: ReportId) -> Result<()> {
    let reporter = tx.reporter_code(report.0).await?;
    let assigned = tx.assigned_codes(Subject::Report(report.0)).await?;
    rc.authorize(Action::Report { reporter: &reporter, assigned: &assigned })
}

/// Refuses the same agency twice in one list.
fn unique(agencies: Vec<AgencyId>) -> Result<Vec<AgencyId>> {
    let mut seen = std::collections::HashSet::new();
    if agencies.iter().all(|a| seen.insert(*a)) {
        Ok(agencies)
    } else {
        Err(Error::bad_field("coordinatorIds", "the same agency is listed twice"))
    }
}
