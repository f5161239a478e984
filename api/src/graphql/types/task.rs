use async_graphql::{Context, ID, SimpleObject};
use entity::sea_orm_active_enums::{AssignmentRole, DeadlineKind, ProgressState, Recurrence};
use entity::{deadline_extension, task, task_assignment, task_group};

use super::{Agency, Document, ProgressReport};
use crate::domain::deadline::Deadline as DomainDeadline;
use crate::domain::status::{AsOf, TaskStatus};
use crate::error::Result;
use crate::graphql::context::{KnownStatuses, request, today};
use crate::graphql::loaders::{AssignmentsOf, EventById, ExtensionsOf, LinkedTasks, PageOf, Reports, StatusOf, Tasks};
use crate::graphql::pagination::{Conn, nested, window};
use crate::graphql::query::TaskFilter;
use crate::graphql::reorganize::AgencyChangeEvent;
use crate::graphql::scalars::Date;
use crate::ids::{AgencyId, AssignmentId, DocumentId, TaskGroupId, TaskId};
use crate::store::{Direction, TaskParent};
use uuid::Uuid;

/// Whether the assignment was held on `day` (now, without one).
fn held_on(a: &task_assignment::Model, day: Option<chrono::NaiveDate>) -> bool {
    match day {
        None => a.ended_on.is_none(),
        Some(d) => a.assigned_on <= d && a.ended_on.is_none_or(|end| end >= d),
    }
}

/// A page of the tasks under a document, a task group or a task.
pub(super) async fn tasks_under(
    ctx: &Context<'_>,
    parent: TaskParent,
    id: Uuid,
    filter: Option<TaskFilter>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Conn<Task>> {
    let query = filter.unwrap_or_default().into_query()?;
    let sole = query.sole_status();
    let spec = Tasks { parent, query, window: window(first, after)? };
    let page = request(ctx).load_ref(PageOf { parent: id, spec }).await?;
    KnownStatuses::note(ctx, sole, page.items.iter().map(|t| TaskId(t.id)));
    Ok(nested(page, |t| t.id, Task))
}

/// A numbered group of tasks within a document (e.g. the five task groups of 47/NQ-CP).
pub struct TaskGroup(pub task_group::Model);

entity_object! {
impl TaskGroup {
    pub async fn id(&self) -> ID {
        TaskGroupId(self.0.id).to_global().into()
    }

    async fn document(&self, ctx: &Context<'_>) -> Result<Document> {
        Ok(Document(request(ctx).load_ref(DocumentId(self.0.document_id)).await?))
    }

    /// The group's code within the document, e.g. `1` or `II`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> &str {
        request(ctx).localized(&self.0.title, &self.0.title_i18n, lang.as_deref())
    }

    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Task>> {
        tasks_under(ctx, TaskParent::Group, self.0.id, filter, first, after).await
    }

}
}

/// When a task falls due: a date, the end of a year, every period, or never for a regular task.
#[derive(SimpleObject)]
pub struct Deadline {
    kind: DeadlineKind,
    date: Option<Date>,
    year: Option<i32>,
    recurrence: Option<Recurrence>,
}

impl From<DomainDeadline> for Deadline {
    fn from(d: DomainDeadline) -> Self {
        let (kind, date, year, recurrence) = d.columns();
        Self { kind, date: date.map(Date), year, recurrence }
    }
}

/// A task that a document assigns: one presiding agency (chủ trì), any number of coordinating ones (phối hợp).
pub struct Task(pub task::Model);

impl Task {
    async fn linked(
        &self,
        ctx: &Context<'_>,
        direction: Direction,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Task>> {
        let spec = LinkedTasks { direction, window: window(first, after)? };
        let page = request(ctx).load_ref(PageOf { parent: self.0.id, spec }).await?;
        Ok(nested(page, |t| t.id, Task))
    }

    async fn current(&self, ctx: &Context<'_>, role: AssignmentRole, as_of: Option<Date>) -> Result<Vec<Agency>> {
        let rc = request(ctx);
        let assignments = rc.load_ref(AssignmentsOf(TaskId(self.0.id))).await?;
        let day = as_of.map(|d| d.0);
        let ids = assignments.iter().filter(|a| a.role == role && held_on(a, day)).map(|a| AgencyId(a.agency_id));
        let agencies = rc.loader.load_many(ids.clone()).await?;
        Ok(ids.filter_map(|id| agencies.get(&id).cloned().map(Agency)).collect())
    }
}

entity_object! {
impl Task {
    pub async fn id(&self) -> ID {
        TaskId(self.0.id).to_global().into()
    }

    async fn document(&self, ctx: &Context<'_>) -> Result<Document> {
        Ok(Document(request(ctx).load_ref(DocumentId(self.0.document_id)).await?))
    }

    async fn group(&self, ctx: &Context<'_>) -> Result<Option<TaskGroup>> {
        match self.0.group_id {
            Some(id) => Ok(Some(TaskGroup(request(ctx).load_ref(TaskGroupId(id)).await?))),
            None => Ok(None),
        }
    }

    /// The task this one is part of, if any.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        match self.0.parent_id {
            Some(id) => Ok(Some(Task(request(ctx).load_ref(TaskId(id)).await?))),
            None => Ok(None),
        }
    }

    /// The parts of this task.
    async fn subtasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Task>> {
        tasks_under(ctx, TaskParent::Task, self.0.id, filter, first, after).await
    }

    /// The task's code within its document, e.g. `1` or `2.3`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// A short title in `lang`, falling back to the Vietnamese original.
    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> Option<&str> {
        self.0.title.as_deref().map(|t| request(ctx).localized(t, &self.0.title_i18n, lang.as_deref()))
    }

    /// What the task asks for, in `lang`, falling back to the Vietnamese original.
    async fn content(&self, ctx: &Context<'_>, lang: Option<String>) -> &str {
        request(ctx).localized(&self.0.content, &self.0.content_i18n, lang.as_deref())
    }

    /// The product expected from the task (a report, a decree, a plan…).
    async fn expected_output(&self) -> Option<&str> {
        self.0.expected_output.as_deref()
    }

    async fn deadline(&self) -> Deadline {
        DomainDeadline::from_columns(
            self.0.deadline_kind,
            self.0.deadline_date,
            self.0.deadline_year,
            self.0.deadline_recurrence,
        )
        .into()
    }

    async fn progress_state(&self) -> ProgressState {
        self.0.progress_state
    }

    /// How the task stands on `asOf` (today in Vietnam when not given), judged against its
    /// deadline as it stood that day.
    async fn status(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<TaskStatus> {
        let as_of = AsOf::new(as_of.map_or_else(today, |d| d.0));
        KnownStatuses::status(ctx, StatusOf(TaskId(self.0.id), as_of)).await
    }

    /// The day the deadline falls due now (a date deadline, or 31 December of a year deadline),
    /// extensions included.
    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Date)
    }

    async fn completed_on(&self) -> Option<Date> {
        self.0.completed_on.map(Date)
    }

    /// The presiding agency (chủ trì) now, or on `asOf`.
    async fn lead(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Option<Agency>> {
        Ok(self.current(ctx, AssignmentRole::Presiding, as_of).await?.into_iter().next())
    }

    /// The coordinating agencies (phối hợp) now, or on `asOf`.
    async fn coordinators(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<Agency>> {
        self.current(ctx, AssignmentRole::Coordinating, as_of).await
    }

    /// Every assignment, current and ended, with role and dates; with `asOf`, those held that day.
    async fn assignments(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Vec<TaskAssignment>> {
        let assignments = request(ctx).load_ref(AssignmentsOf(TaskId(self.0.id))).await?;
        let keep = |a: &task_assignment::Model| as_of.is_none_or(|d| held_on(a, Some(d.0)));
        Ok(assignments.into_iter().filter(keep).map(TaskAssignment).collect())
    }

    /// The tasks this one carries out (a national task that a provincial one is derived from).
    async fn derived_from(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Task>> {
        self.linked(ctx, Direction::Targets, first, after).await
    }

    /// The tasks that carry this one out.
    async fn derived_tasks(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Task>> {
        self.linked(ctx, Direction::Sources, first, after).await
    }

    /// Every extension of the deadline, oldest first; `deadline` holds the latest date.
    async fn deadline_extensions(&self, ctx: &Context<'_>) -> Result<Vec<DeadlineExtension>> {
        let found = request(ctx).load_ref(ExtensionsOf(TaskId(self.0.id))).await?;
        Ok(found.into_iter().map(DeadlineExtension).collect())
    }

    async fn progress_reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ProgressReport>> {
        let spec = Reports(window(first, after)?);
        let page = request(ctx).load_ref(PageOf { parent: self.0.id, spec }).await?;
        Ok(nested(page, |r| r.id, ProgressReport))
    }

}
}

/// An agency's role on a task over a span of days; an ended assignment stays as history.
pub struct TaskAssignment(pub task_assignment::Model);

entity_object! {
impl TaskAssignment {
    pub async fn id(&self) -> ID {
        AssignmentId(self.0.id).to_global().into()
    }

    async fn task(&self, ctx: &Context<'_>) -> Result<Task> {
        Ok(Task(request(ctx).load_ref(TaskId(self.0.task_id)).await?))
    }

    async fn agency(&self, ctx: &Context<'_>) -> Result<Agency> {
        Ok(Agency(request(ctx).load_ref(AgencyId(self.0.agency_id)).await?))
    }

    async fn role(&self) -> AssignmentRole {
        self.0.role
    }

    async fn assigned_on(&self) -> Date {
        Date(self.0.assigned_on)
    }

    /// The last day of responsibility; none while the assignment is current.
    async fn ended_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }

    /// Why the assignment was made, when it was not part of the original document (SUCCESSION
    /// for one made by a reorganisation).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// The reorganisation that made this assignment by succession.
    async fn change_event(&self, ctx: &Context<'_>) -> Result<Option<AgencyChangeEvent>> {
        match self.0.event_id {
            Some(id) => Ok(request(ctx).load(EventById(id)).await?.map(|model| AgencyChangeEvent { model, parties: None })),
            None => Ok(None),
        }
    }

}
}

/// A later document moved the task's deadline: from `previousDueOn` to `newDueOn`, counting from
/// `effectiveOn`.
pub struct DeadlineExtension(pub deadline_extension::Model);

#[async_graphql::Object]
impl DeadlineExtension {
    async fn previous_due_on(&self) -> Date {
        Date(self.0.previous_due_on)
    }

    async fn new_due_on(&self) -> Date {
        Date(self.0.new_due_on)
    }

    /// From this day on the new date counts.
    async fn effective_on(&self) -> Date {
        Date(self.0.effective_on)
    }

    /// The document that approved the extension; null if it has since been deleted.
    async fn approved_by(&self, ctx: &Context<'_>) -> Result<Option<Document>> {
        match self.0.approved_by_id {
            Some(id) => Ok(request(ctx).load(DocumentId(id)).await?.map(Document)),
            None => Ok(None),
        }
    }

    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    async fn recorded_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
}
