//! Task groups and tasks.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::sea_orm_active_enums::{AssignmentRole, DeadlineKind, ProgressState};
use entity::task::{self, Column, Entity};
use entity::{agency, task_assignment, task_group};
use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::assignments::insert_first_assignments;
use super::documents::require_document;
use super::hierarchy::{Hierarchy, is_ancestor_or_self};
use super::locks::{bump, lock_version};
use super::page::{Page, PageRequest, Window, fetch_page, fetch_windows};
use super::sql::Sql;
use super::status::push_status_in;
use super::{Store, Tx};
use crate::domain::deadline::Deadline;
use crate::domain::i18n::Translations;
use crate::domain::status::{AsOf, TaskStatus};
use crate::error::{Error, Result};
use crate::ids::{AgencyId, DocumentId, TaskGroupId, TaskId};

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TaskQuery {
    pub document: Option<DocumentId>,
    /// Tasks on which this agency currently holds a role (`role` narrows it).
    pub agency_code: Option<String>,
    pub role: Option<AssignmentRole>,
    pub progress_state: Option<ProgressState>,
    /// Tasks whose fixed deadline (a date, or the end of a year) falls before this day.
    pub due_before: Option<NaiveDate>,
    /// Tasks whose status on `as_of` is one of these.
    pub statuses: Option<Vec<TaskStatus>>,
    pub as_of: Option<AsOf>,
}

impl TaskQuery {
    /// The one status every task this query finds has on its day, when its filter names just one.
    pub fn sole_status(&self) -> Option<(AsOf, TaskStatus)> {
        match (self.statuses.as_deref(), self.as_of) {
            (Some([status]), Some(as_of)) => Some((as_of, *status)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewTaskGroup {
    pub document: DocumentId,
    pub code: String,
    pub title: String,
    pub translations: Translations,
}

#[derive(Debug, Clone, Default)]
pub struct TaskGroupChanges {
    pub code: Option<String>,
    pub title: Option<String>,
    pub title_en: Option<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct NewTask {
    pub document: DocumentId,
    pub group: Option<TaskGroupId>,
    pub parent: Option<TaskId>,
    pub code: String,
    pub title: Option<String>,
    pub title_translations: Translations,
    pub content: String,
    pub content_translations: Translations,
    pub expected_output: Option<String>,
    pub deadline: Deadline,
    pub lead: AgencyId,
    pub coordinators: Vec<AgencyId>,
    /// Defaults to the document's date of issue, when the task was given.
    pub assigned_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct TaskChanges {
    pub code: Option<String>,
    pub title: Option<Option<String>>,
    pub title_en: Option<Option<String>>,
    pub content: Option<String>,
    pub content_en: Option<Option<String>>,
    pub expected_output: Option<Option<String>>,
    pub deadline: Option<Deadline>,
    pub group: Option<Option<TaskGroupId>>,
    pub parent: Option<Option<TaskId>>,
}

pub(super) fn query_condition(q: &TaskQuery, backend: DbBackend) -> Condition {
    let mut cond = Condition::all();
    if let Some(doc) = q.document {
        cond = cond.add(Column::DocumentId.eq(doc.0));
    }
    if let Some(code) = &q.agency_code {
        let mut assigned = Query::select();
        assigned
            .column((task_assignment::Entity, task_assignment::Column::TaskId))
            .from(task_assignment::Entity)
            .inner_join(
                agency::Entity,
                Expr::col((agency::Entity, agency::Column::Id))
                    .equals((task_assignment::Entity, task_assignment::Column::AgencyId)),
            )
            .and_where(Expr::col((agency::Entity, agency::Column::Code)).eq(code.as_str()))
            .and_where(Expr::col((task_assignment::Entity, task_assignment::Column::EndedOn)).is_null());
        if let Some(role) = q.role {
            assigned.and_where(Expr::col((task_assignment::Entity, task_assignment::Column::Role)).eq(role.as_str()));
        }
        cond = cond.add(Column::Id.in_subquery(assigned.to_owned()));
    }
    if let Some(state) = q.progress_state {
        cond = cond.add(Column::ProgressState.eq(state));
    }
    if let Some(day) = q.due_before {
        cond = cond.add(
            Condition::any()
                .add(Column::DeadlineKind.eq(DeadlineKind::Date).and(Column::DeadlineDate.lt(day)))
                // A year deadline falls due on 31 December.
                .add(Column::DeadlineKind.eq(DeadlineKind::Year).and(Column::DeadlineYear.lt(day.year()))),
        );
    }
    if let (Some(statuses), Some(as_of)) = (&q.statuses, q.as_of) {
        let mut sql = Sql::new(backend);
        push_status_in(&mut sql, "task", as_of, statuses);
        cond = cond.add(sql.into_expr());
    }
    cond
}

impl Store {
    pub async fn tasks_by_ids(&self, ids: &[Uuid]) -> Result<Vec<task::Model>> {
        Ok(Entity::find().filter(Column::Id.is_in(ids.iter().copied())).all(self.conn()).await?)
    }

    pub async fn task_groups_by_ids(&self, ids: &[Uuid]) -> Result<Vec<task_group::Model>> {
        Ok(task_group::Entity::find()
            .filter(task_group::Column::Id.is_in(ids.iter().copied()))
            .all(self.conn())
            .await?)
    }

    /// The task groups of each document, in creation order.
    pub async fn task_groups_of(&self, documents: &[Uuid]) -> Result<HashMap<Uuid, Vec<task_group::Model>>> {
        let rows = task_group::Entity::find()
            .filter(task_group::Column::DocumentId.is_in(documents.iter().copied()))
            .order_by_asc(task_group::Column::Id)
            .all(self.conn())
            .await?;
        Ok(super::group_by(rows, |r| r.document_id))
    }

    pub async fn list_tasks(&self, q: &TaskQuery, req: PageRequest) -> Result<Page<task::Model>> {
        fetch_page(self.conn(), Entity::find().filter(query_condition(q, self.backend())), Column::Id, req).await
    }

    pub async fn count_tasks(&self, q: &TaskQuery) -> Result<u64> {
        Ok(Entity::find().filter(query_condition(q, self.backend())).count(self.conn()).await?)
    }

    /// For each parent (a document, a task group or a task), a page of its tasks matching `q`.
    pub async fn tasks_of(
        &self,
        parent: TaskParent,
        parents: &[Uuid],
        q: &TaskQuery,
        window: Window,
    ) -> Result<HashMap<Uuid, Page<task::Model>>> {
        let column = match parent {
            TaskParent::Document => Column::DocumentId,
            TaskParent::Group => Column::GroupId,
            TaskParent::Task => Column::ParentId,
        };
        let select = Entity::find().filter(query_condition(q, self.backend()));
        fetch_windows(self.conn(), select, (Entity, column).into_column_ref(), Column::Id, parents, window).await
    }
}

/// Writes a deadline's columns and the day it falls due.
pub(super) fn set_deadline(model: &mut task::ActiveModel, deadline: Deadline) {
    let (kind, date, year, recurrence) = deadline.columns();
    model.deadline_kind = Set(kind);
    model.deadline_date = Set(date);
    model.deadline_year = Set(year);
    model.deadline_recurrence = Set(recurrence);
    model.due_on = Set(deadline.due_on());
}

/// What a nested task list hangs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskParent {
    Document,
    Group,
    Task,
}

/// The group must exist and belong to `document`.
async fn require_group(tx: &Tx, id: TaskGroupId, document: Uuid) -> Result<()> {
    match task_group::Entity::find_by_id(id.0).one(tx).await? {
        Some(g) if g.document_id == document => Ok(()),
        Some(_) => Err(Error::bad_field("groupId", "the task group belongs to another document")),
        None => Err(Error::bad_field("groupId", "groupId names no existing task group")),
    }
}

/// The parent task must exist and belong to `document`.
async fn require_parent(tx: &Tx, id: TaskId, document: Uuid) -> Result<()> {
    match Entity::find_by_id(id.0).one(tx).await? {
        Some(t) if t.document_id == document => Ok(()),
        Some(_) => Err(Error::bad_field("parentId", "the parent task belongs to another document")),
        None => Err(Error::bad_field("parentId", "parentId names no existing task")),
    }
}

async fn check_task_code_free(tx: &Tx, document: Uuid, code: &str, except: Option<Uuid>) -> Result<()> {
    let mut q = Entity::find().filter(Column::DocumentId.eq(document)).filter(Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    if q.count(tx).await? > 0 {
        return Err(Error::conflict(format!("the document already has a task {code}")).with_field("code"));
    }
    Ok(())
}

async fn check_group_code_free(tx: &Tx, document: Uuid, code: &str, except: Option<Uuid>) -> Result<()> {
    let mut q = task_group::Entity::find()
        .filter(task_group::Column::DocumentId.eq(document))
        .filter(task_group::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(task_group::Column::Id.ne(id));
    }
    if q.count(tx).await? > 0 {
        return Err(Error::conflict(format!("the document already has a task group {code}")).with_field("code"));
    }
    Ok(())
}

/// The row of a new task, not started, its deadline in its columns.
pub fn task_model(id: TaskId, new: &NewTask, now: DateTime<Utc>) -> task::Model {
    let (deadline_kind, deadline_date, deadline_year, deadline_recurrence) = new.deadline.columns();
    task::Model {
        id: id.0,
        document_id: new.document.0,
        group_id: new.group.map(|g| g.0),
        parent_id: new.parent.map(|p| p.0),
        code: new.code.clone(),
        title: new.title.clone(),
        title_i18n: new.title_translations.to_json(),
        content: new.content.clone(),
        content_i18n: new.content_translations.to_json(),
        expected_output: new.expected_output.clone(),
        deadline_kind,
        deadline_date,
        deadline_year,
        deadline_recurrence,
        progress_state: ProgressState::NotStarted,
        completed_on: None,
        due_on: new.deadline.due_on(),
        extended_on: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

impl Tx {
    pub async fn create_task_group(&self, new: NewTaskGroup) -> Result<task_group::Model> {
        require_document(self, new.document, "documentId").await?;
        check_group_code_free(self, new.document.0, &new.code, None).await?;
        let now = Utc::now();
        let created = task_group::ActiveModel {
            id: Set(TaskGroupId::generate().0),
            document_id: Set(new.document.0),
            code: Set(new.code),
            title: Set(new.title),
            title_i18n: Set(new.translations.to_json()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self)
        .await?;
        self.created(&created);
        Ok(created)
    }

    pub async fn update_task_group(
        &self,
        id: TaskGroupId,
        expected: i32,
        ch: TaskGroupChanges,
    ) -> Result<task_group::Model> {
        let current = lock_version::<task_group::Entity, _>(self, id.0, expected).await?;
        if let Some(code) = &ch.code {
            check_group_code_free(self, current.document_id, code, Some(id.0)).await?;
        }
        let (version, now) = bump(current.version);
        let mut titles = Translations::from_json(&current.title_i18n);
        if let Some(en) = &ch.title_en {
            titles.set("titleEn", "en", en.as_deref())?;
        }
        let before = current.clone();
        let mut model: task_group::ActiveModel = current.into();
        if let Some(code) = ch.code {
            model.code = Set(code);
        }
        if let Some(title) = ch.title {
            model.title = Set(title);
        }
        model.title_i18n = Set(titles.to_json());
        model.version = Set(version);
        model.updated_at = Set(now);
        let after = model.update(self).await?;
        self.updated(&before, &after);
        Ok(after)
    }

    /// Deletes a group; its tasks stay in the document, ungrouped.
    pub async fn delete_task_group(&self, id: TaskGroupId, expected: i32) -> Result<()> {
        let current = lock_version::<task_group::Entity, _>(self, id.0, expected).await?;
        task_group::Entity::delete_by_id(id.0).exec(self).await?;
        self.deleted(&current);
        Ok(())
    }

    pub async fn create_task(&self, new: NewTask) -> Result<task::Model> {
        let doc = require_document(self, new.document, "documentId").await?;
        check_task_code_free(self, doc.id, &new.code, None).await?;
        if let Some(group) = new.group {
            require_group(self, group, doc.id).await?;
        }
        if let Some(parent) = new.parent {
            require_parent(self, parent, doc.id).await?;
        }
        if new.coordinators.contains(&new.lead) {
            return Err(Error::bad_field("coordinatorIds", "the presiding agency cannot also be a coordinator"));
        }
        let id = TaskId::generate();
        let created = task::ActiveModel::from(task_model(id, &new, Utc::now())).insert(self).await?;
        self.created(&created);
        let assigned_on = new.assigned_on.unwrap_or(doc.issued_on);
        let roles: Vec<_> = std::iter::once((new.lead, AssignmentRole::Presiding, "leadAgencyId"))
            .chain(new.coordinators.iter().map(|c| (*c, AssignmentRole::Coordinating, "coordinatorIds")))
            .collect();
        insert_first_assignments(self, id, &roles, assigned_on).await?;
        Ok(created)
    }

    pub async fn update_task(&self, id: TaskId, expected: i32, ch: TaskChanges) -> Result<task::Model> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        if let Some(code) = &ch.code {
            check_task_code_free(self, current.document_id, code, Some(id.0)).await?;
        }
        if let Some(Some(group)) = ch.group {
            require_group(self, group, current.document_id).await?;
        }
        if let Some(Some(parent)) = ch.parent {
            require_parent(self, parent, current.document_id).await?;
            if is_ancestor_or_self(self, Hierarchy::Task, parent.0, id.0).await? {
                return Err(Error::bad_field(
                    "parentId",
                    "the new parent is this task or one of its subtasks: that would make a cycle",
                ));
            }
        }
        let (version, now) = bump(current.version);
        let mut titles = Translations::from_json(&current.title_i18n);
        if let Some(en) = &ch.title_en {
            titles.set("titleEn", "en", en.as_deref())?;
        }
        let mut contents = Translations::from_json(&current.content_i18n);
        if let Some(en) = &ch.content_en {
            contents.set("contentEn", "en", en.as_deref())?;
        }
        let before = current.clone();
        let mut model: task::ActiveModel = current.into();
        if let Some(code) = ch.code {
            model.code = Set(code);
        }
        if let Some(title) = ch.title {
            model.title = Set(title);
        }
        if let Some(content) = ch.content {
            model.content = Set(content);
        }
        if let Some(output) = ch.expected_output {
            model.expected_output = Set(output);
        }
        if let Some(deadline) = ch.deadline {
            set_deadline(&mut model, deadline);
        }
        if let Some(group) = ch.group {
            model.group_id = Set(group.map(|g| g.0));
        }
        if let Some(parent) = ch.parent {
            model.parent_id = Set(parent.map(|p| p.0));
        }
        model.title_i18n = Set(titles.to_json());
        model.content_i18n = Set(contents.to_json());
        model.version = Set(version);
        model.updated_at = Set(now);
        let after = model.update(self).await?;
        self.updated(&before, &after);
        Ok(after)
    }

    /// Deletes a task with its subtasks, assignments and progress reports.
    pub async fn delete_task(&self, id: TaskId, expected: i32) -> Result<()> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        Entity::delete_by_id(id.0).exec(self).await?;
        self.deleted(&current);
        Ok(())
    }

    pub async fn set_task_progress(
        &self,
        id: TaskId,
        expected: i32,
        state: ProgressState,
        completed_on: Option<NaiveDate>,
    ) -> Result<task::Model> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        let (version, now) = bump(current.version);
        let before = current.clone();
        let mut model: task::ActiveModel = current.into();
        model.progress_state = Set(state);
        model.completed_on = Set(completed_on);
        model.version = Set(version);
        model.updated_at = Set(now);
        let after = model.update(self).await?;
        self.updated(&before, &after);
        Ok(after)
    }

    pub async fn task_by_code(&self, document: Uuid, code: &str) -> Result<Option<task::Model>> {
        Ok(Entity::find().filter(Column::DocumentId.eq(document)).filter(Column::Code.eq(code)).one(self).await?)
    }

    /// The codes of the document's tasks.
    pub async fn task_codes_in(&self, document: Uuid) -> Result<Vec<String>> {
        let tasks = Entity::find().filter(Column::DocumentId.eq(document)).all(self).await?;
        Ok(tasks.into_iter().map(|t| t.code).collect())
    }

    /// The document's task groups, in creation order.
    pub async fn task_groups_in(&self, document: Uuid) -> Result<Vec<task_group::Model>> {
        Ok(task_group::Entity::find()
            .filter(task_group::Column::DocumentId.eq(document))
            .order_by_asc(task_group::Column::Id)
            .all(self)
            .await?)
    }

    pub async fn task_group_by_code(&self, document: Uuid, code: &str) -> Result<Option<task_group::Model>> {
        Ok(task_group::Entity::find()
            .filter(task_group::Column::DocumentId.eq(document))
            .filter(task_group::Column::Code.eq(code))
            .one(self)
            .await?)
    }
}
