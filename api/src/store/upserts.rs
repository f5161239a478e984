//! Create-or-update by another system's key, for systems that keep their own copy in step.
//! An item that matches what is stored changes nothing: no new version, no audit record, no
//! change in the feed. An item without a reference yet adopts the entity with the same natural
//! key (agency code; issuer + symbol + year; document + task code) before creating one.

use chrono::{Datelike, NaiveDate, Utc};
use entity::sea_orm_active_enums::AssignmentRole;
use entity::{agency, document, external_reference, task, task_assignment};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::assignments::NewAssignment;
use super::locks::lock;
use super::{AgencyChanges, DocumentChanges, NewAgency, NewDocument, NewTask, TaskChanges, Tx};
use crate::domain::deadline::Deadline;
use crate::domain::i18n::Translations;
use crate::error::Result;
use crate::ids::{AgencyId, DocumentId, TaskGroupId, TaskId};

/// The entity an upsert item names, if one exists yet.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    found: Option<Uuid>,
    /// The reference is stored already (otherwise the entity was found by its natural key).
    known: bool,
}

impl Target {
    pub fn existing(&self) -> Option<Uuid> {
        self.found
    }
}

/// The new value when it differs from the current one.
fn differs<T: PartialEq>(current: &T, new: T) -> Option<T> {
    (current != &new).then_some(new)
}

/// A translation's new text when it differs from the stored one.
fn translation(current: &serde_json::Value, new: &Translations, lang: &str) -> Option<Option<String>> {
    let current = Translations::from_json(current);
    differs(&current.get(lang).map(str::to_owned), new.get(lang).map(str::to_owned))
}

impl super::Store {
    /// The external references of each entity, oldest first.
    pub async fn references_of(
        &self,
        entities: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, Vec<external_reference::Model>>> {
        let rows = external_reference::Entity::find()
            .filter(external_reference::Column::EntityId.is_in(entities.iter().copied()))
            .order_by_asc(external_reference::Column::Id)
            .all(self.conn())
            .await?;
        Ok(super::group_by(rows, |r| r.entity_id))
    }
}

impl Tx {
    async fn external(&self, source: &str, entity_type: &str, external_id: &str) -> Result<Option<Uuid>> {
        Ok(external_reference::Entity::find()
            .filter(external_reference::Column::Source.eq(source))
            .filter(external_reference::Column::EntityType.eq(entity_type))
            .filter(external_reference::Column::ExternalId.eq(external_id))
            .one(self)
            .await?
            .map(|r| r.entity_id))
    }

    async fn remember(&self, source: &str, entity_type: &str, external_id: &str, entity: Uuid) -> Result<()> {
        external_reference::ActiveModel {
            id: Set(Uuid::now_v7()),
            source: Set(source.to_owned()),
            entity_type: Set(entity_type.to_owned()),
            external_id: Set(external_id.to_owned()),
            entity_id: Set(entity),
            created_at: Set(Utc::now()),
        }
        .insert(self)
        .await?;
        Ok(())
    }

    /// The entity a reference names, or one adopted by its natural key; the reference is stored
    /// when it is new.
    async fn resolve(
        &self,
        source: &str,
        entity_type: &str,
        external_id: &str,
        natural: Option<Uuid>,
    ) -> Result<Target> {
        match self.external(source, entity_type, external_id).await? {
            Some(id) => Ok(Target { found: Some(id), known: true }),
            None => Ok(Target { found: natural, known: false }),
        }
    }

    pub async fn upsert_agency(&self, source: &str, external_id: &str, new: NewAgency) -> Result<agency::Model> {
        let natural = self.agency_by_code(&new.code).await?.map(|a| a.id);
        let Target { found, known } = self.resolve(source, "Agency", external_id, natural).await?;
        let Some(id) = found else {
            let created = self.create_agency(new).await?;
            self.remember(source, "Agency", external_id, created.id).await?;
            return Ok(created);
        };
        if !known {
            self.remember(source, "Agency", external_id, id).await?;
        }
        let current = lock::<agency::Entity, _>(self, id).await?;
        let changes = AgencyChanges {
            code: differs(&current.code, new.code),
            name: differs(&current.name, new.name),
            name_en: translation(&current.name_i18n, &new.translations, "en"),
            kind: differs(&current.kind, new.kind),
            level: differs(&current.level, new.level),
            parent: differs(&current.parent_id, new.parent.map(|p| p.0)).map(|p| p.map(AgencyId)),
            ..Default::default()
        };
        if changes.is_empty() {
            return Ok(current);
        }
        self.update_agency(AgencyId(id), current.version, changes).await
    }

    /// The document an upsert item names: by its reference, else by issuer + symbol + year.
    pub async fn document_target(&self, source: &str, external_id: &str, new: &NewDocument) -> Result<Target> {
        let natural =
            self.document_by_key(new.issuer.0, new.symbol.normalized(), new.issued_on.year()).await?.map(|d| d.id);
        self.resolve(source, "Document", external_id, natural).await
    }

    /// Creates or updates the document `target` names. The caller checks its right over an existing
    /// document first: a right over the new issuer does not extend to what someone else issued.
    pub async fn upsert_document(
        &self,
        target: Target,
        source: &str,
        external_id: &str,
        new: NewDocument,
    ) -> Result<document::Model> {
        let Target { found, known } = target;
        let Some(id) = found else {
            let created = self.create_document(new).await?;
            self.remember(source, "Document", external_id, created.id).await?;
            return Ok(created);
        };
        if !known {
            self.remember(source, "Document", external_id, id).await?;
        }
        let current = lock::<document::Entity, _>(self, id).await?;
        let changes = DocumentChanges {
            symbol: (current.symbol != new.symbol.normalized()).then(|| new.symbol.clone()),
            kind: new.kind.and_then(|k| differs(&current.kind, k)),
            issuer: differs(&current.issuer_id, new.issuer.0).map(AgencyId),
            issued_on: differs(&current.issued_on, new.issued_on),
            title: differs(&current.title, new.title),
            title_en: translation(&current.title_i18n, &new.title_translations, "en"),
            summary: differs(&current.summary, new.summary),
            summary_en: translation(&current.summary_i18n, &new.summary_translations, "en"),
            horizon_year: differs(&current.horizon_year, new.horizon_year),
            status: differs(&current.status, new.status),
            source_url: differs(&current.source_url, new.source_url),
        };
        let document = if changes.is_empty() {
            current
        } else {
            self.update_document(DocumentId(id), current.version, changes).await?
        };
        // Links are added, never removed: other systems may have linked the document too.
        for target in new.implements {
            self.link_documents(DocumentId(id), target, entity::sea_orm_active_enums::RelationKind::Implements).await?;
        }
        Ok(document)
    }

    /// The task an upsert item names: by its reference, else by document + code.
    pub async fn task_target(&self, source: &str, external_id: &str, new: &NewTask) -> Result<Target> {
        let natural = self.task_by_code(new.document.0, &new.code).await?.map(|t| t.id);
        self.resolve(source, "Task", external_id, natural).await
    }

    /// Creates or updates the task `target` names; the caller checks its right over an existing one.
    pub async fn upsert_task(
        &self,
        target: Target,
        source: &str,
        external_id: &str,
        new: NewTask,
        today: NaiveDate,
    ) -> Result<task::Model> {
        let Target { found, known } = target;
        let Some(id) = found else {
            let created = self.create_task(new).await?;
            self.remember(source, "Task", external_id, created.id).await?;
            return Ok(created);
        };
        if !known {
            self.remember(source, "Task", external_id, id).await?;
        }
        let current = lock::<task::Entity, _>(self, id).await?;
        let deadline = Deadline::from_columns(
            current.deadline_kind,
            current.deadline_date,
            current.deadline_year,
            current.deadline_recurrence,
        );
        let changes = TaskChanges {
            code: differs(&current.code, new.code.clone()),
            title: differs(&current.title, new.title.clone()),
            title_en: translation(&current.title_i18n, &new.title_translations, "en"),
            content: differs(&current.content, new.content.clone()),
            content_en: translation(&current.content_i18n, &new.content_translations, "en"),
            expected_output: differs(&current.expected_output, new.expected_output.clone()),
            deadline: differs(&deadline, new.deadline),
            group: differs(&current.group_id, new.group.map(|g| g.0)).map(|g| g.map(TaskGroupId)),
            parent: differs(&current.parent_id, new.parent.map(|p| p.0)).map(|p| p.map(TaskId)),
        };
        let task =
            if changes.is_empty() { current } else { self.update_task(TaskId(id), current.version, changes).await? };
        self.reconcile_assignments(TaskId(id), new.lead, &new.coordinators, today).await?;
        Ok(task)
    }

    /// Brings the task's current agencies to `lead` and `coordinators`: those no longer named end
    /// today (and stay as history), new ones begin today.
    async fn reconcile_assignments(
        &self,
        task: TaskId,
        lead: AgencyId,
        coordinators: &[AgencyId],
        today: NaiveDate,
    ) -> Result<()> {
        let current: Vec<task_assignment::Model> = task_assignment::Entity::find()
            .filter(task_assignment::Column::TaskId.eq(task.0))
            .filter(task_assignment::Column::EndedOn.is_null())
            .all(self)
            .await?;
        let wanted = |agency: Uuid, role: AssignmentRole| match role {
            AssignmentRole::Presiding => agency == lead.0,
            AssignmentRole::Coordinating => coordinators.iter().any(|c| c.0 == agency),
        };
        for a in current.iter().filter(|a| !wanted(a.agency_id, a.role)) {
            self.unassign_task(task, AgencyId(a.agency_id), today.max(a.assigned_on)).await?;
        }
        let kept = |agency: Uuid, role: AssignmentRole| {
            current.iter().any(|a| a.agency_id == agency && a.role == role && wanted(a.agency_id, a.role))
        };
        let additions = std::iter::once((lead, AssignmentRole::Presiding))
            .chain(coordinators.iter().map(|c| (*c, AssignmentRole::Coordinating)))
            .filter(|(agency, role)| !kept(agency.0, *role));
        for (agency, role) in additions {
            self.assign_task(NewAssignment { task, agency, role, assigned_on: today, reason: None, event: None })
                .await?;
        }
        Ok(())
    }
}

impl AgencyChanges {
    pub fn is_empty(&self) -> bool {
        self.code.is_none()
            && self.name.is_none()
            && self.name_en.is_none()
            && self.kind.is_none()
            && self.level.is_none()
            && self.parent.is_none()
            && self.valid_from.is_none()
            && self.valid_to.is_none()
    }
}

impl DocumentChanges {
    pub fn is_empty(&self) -> bool {
        self.symbol.is_none()
            && self.kind.is_none()
            && self.issuer.is_none()
            && self.issued_on.is_none()
            && self.title.is_none()
            && self.title_en.is_none()
            && self.summary.is_none()
            && self.summary_en.is_none()
            && self.horizon_year.is_none()
            && self.status.is_none()
            && self.source_url.is_none()
    }
}

impl TaskChanges {
    pub fn is_empty(&self) -> bool {
        self.code.is_none()
            && self.title.is_none()
            && self.title_en.is_none()
            && self.content.is_none()
            && self.content_en.is_none()
            && self.expected_output.is_none()
            && self.deadline.is_none()
            && self.group.is_none()
            && self.parent.is_none()
    }
}
