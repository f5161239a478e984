//! Agencies: the bodies that issue documents and preside over or coordinate tasks.

use chrono::{DateTime, NaiveDate, Utc};
use entity::agency::{self, Column, Entity};
use entity::sea_orm_active_enums::{AgencyKind, AgencyLevel, EventSide};
use entity::{agency_event_party, document, progress_report, task_assignment};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::hierarchy::{Hierarchy, is_ancestor_or_self};
use super::locks::{bump, lock_version};
use super::page::{Page, PageRequest, fetch_page};
use super::{Store, Tx};
use crate::domain::i18n::Translations;
use crate::error::{Error, Result};
use crate::ids::AgencyId;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AgencyQuery {
    pub kind: Option<AgencyKind>,
    pub level: Option<AgencyLevel>,
    pub parent_code: Option<String>,
    /// `Some(true)`: only agencies in existence on `today`; `Some(false)`: only those that are not.
    pub active: Option<bool>,
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    pub translations: Translations,
    pub kind: AgencyKind,
    pub level: AgencyLevel,
    pub parent: Option<AgencyId>,
}

/// Fields to change; `None` leaves a field as it is. `parent: Some(None)` detaches the agency.
#[derive(Debug, Clone, Default)]
pub struct AgencyChanges {
    pub code: Option<String>,
    pub name: Option<String>,
    pub name_en: Option<Option<String>>,
    pub kind: Option<AgencyKind>,
    pub level: Option<AgencyLevel>,
    pub parent: Option<Option<AgencyId>>,
    /// Set by reorganisations: the first day the agency exists, and the first day it no longer does.
    pub valid_from: Option<Option<NaiveDate>>,
    pub valid_to: Option<Option<NaiveDate>>,
}

impl Store {
    pub async fn agencies_by_ids(&self, ids: &[Uuid]) -> Result<Vec<agency::Model>> {
        Ok(Entity::find().filter(Column::Id.is_in(ids.iter().copied())).all(self.conn()).await?)
    }

    pub async fn agencies_by_codes(&self, codes: &[String]) -> Result<Vec<agency::Model>> {
        Ok(Entity::find().filter(Column::Code.is_in(codes.iter().cloned())).all(self.conn()).await?)
    }

    pub async fn list_agencies(&self, q: &AgencyQuery, req: PageRequest) -> Result<Page<agency::Model>> {
        fetch_page(self.conn(), Entity::find().filter(query_condition(q)), Column::Id, req).await
    }

    pub async fn count_agencies(&self, q: &AgencyQuery) -> Result<u64> {
        Ok(Entity::find().filter(query_condition(q)).count(self.conn()).await?)
    }
}

pub(super) fn query_condition(q: &AgencyQuery) -> Condition {
    let mut cond = Condition::all();
    if let Some(kind) = q.kind {
        cond = cond.add(Column::Kind.eq(kind));
    }
    if let Some(level) = q.level {
        cond = cond.add(Column::Level.eq(level));
    }
    if let Some(code) = &q.parent_code {
        let parent = Query::select()
            .column(Column::Id)
            .from(Entity)
            .and_where(Expr::col(Column::Code).eq(code.as_str()))
            .to_owned();
        cond = cond.add(Column::ParentId.in_subquery(parent));
    }
    if let (Some(active), Some(today)) = (q.active, q.today) {
        let in_force = Condition::all()
            .add(Condition::any().add(Column::ValidFrom.is_null()).add(Column::ValidFrom.lte(today)))
            .add(Condition::any().add(Column::ValidTo.is_null()).add(Column::ValidTo.gt(today)));
        cond = cond.add(if active { in_force } else { in_force.not() });
    }
    cond
}

/// Fails unless `id` names an agency; `field` names the input for the error.
pub(super) async fn require_agency(tx: &Tx, id: AgencyId, field: &str) -> Result<agency::Model> {
    Entity::find_by_id(id.0).one(tx).await?.ok_or_else(|| no_such_agency(field))
}

fn no_such_agency(field: &str) -> Error {
    Error::bad_field(field, format!("{field} names no existing agency"))
}

/// Fails unless `id` names an agency that existed on `day`: a task is not given, nor a document
/// issued, on a day when its agency did not exist (before it was formed, or after a merger).
pub(super) async fn require_agency_on(tx: &Tx, id: AgencyId, day: NaiveDate, field: &str) -> Result<agency::Model> {
    let a = require_agency(tx, id, field).await?;
    check_exists_on(tx, a, day, field).await
}

/// [`require_agency_on`] for several agencies, each with the input that names it, in one
/// statement; the agencies come back in the order asked.
pub(super) async fn require_agencies_on(
    tx: &Tx,
    wanted: &[(AgencyId, &str)],
    day: NaiveDate,
) -> Result<Vec<agency::Model>> {
    let found: std::collections::HashMap<Uuid, agency::Model> = Entity::find()
        .filter(Column::Id.is_in(wanted.iter().map(|(id, _)| id.0)))
        .all(tx)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut agencies = Vec::with_capacity(wanted.len());
    for &(id, field) in wanted {
        // A copy, not a removal: the same agency may be named twice, which the caller refuses.
        let a = found.get(&id.0).cloned().ok_or_else(|| no_such_agency(field))?;
        agencies.push(check_exists_on(tx, a, day, field).await?);
    }
    Ok(agencies)
}

/// Fails unless `a` existed on `day`; the error names its successors, if a merger ended it.
async fn check_exists_on(tx: &Tx, a: agency::Model, day: NaiveDate, field: &str) -> Result<agency::Model> {
    if let Some(since) = a.valid_from.filter(|since| *since > day) {
        return Err(Error::bad_field(field, format!("{} exists only from {since}, not on {day}", a.code)));
    }
    if let Some(until) = a.valid_to.filter(|until| *until <= day) {
        let successors = successor_codes(tx, a.id).await?;
        let hint = match successors.is_empty() {
            true => String::new(),
            false => format!("; its successors: {}", successors.join(", ")),
        };
        return Err(Error::bad_field(
            field,
            format!("{} no longer exists from {until}, so not on {day}{hint}", a.code),
        ));
    }
    Ok(a)
}

/// The codes of the agencies that succeeded `agency` in the events it was a predecessor in.
async fn successor_codes(tx: &Tx, agency: Uuid) -> Result<Vec<String>> {
    let events = Query::select()
        .column(agency_event_party::Column::EventId)
        .from(agency_event_party::Entity)
        .and_where(Expr::col(agency_event_party::Column::AgencyId).eq(agency))
        .and_where(Expr::col(agency_event_party::Column::Side).eq(EventSide::Predecessor.as_str()))
        .to_owned();
    let successors = Query::select()
        .column(agency_event_party::Column::AgencyId)
        .from(agency_event_party::Entity)
        .and_where(Expr::col(agency_event_party::Column::Side).eq(EventSide::Successor.as_str()))
        .and_where(Expr::col(agency_event_party::Column::EventId).in_subquery(events))
        .to_owned();
    let found = Entity::find()
        .filter(Column::Id.in_subquery(successors))
        .filter(Column::Id.ne(agency))
        .order_by_asc(Column::Code)
        .all(tx)
        .await?;
    Ok(found.into_iter().map(|a| a.code).collect())
}

async fn check_code_free(tx: &Tx, code: &str, except: Option<Uuid>) -> Result<()> {
    let mut q = Entity::find().filter(Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    if q.count(tx).await? > 0 {
        return Err(Error::conflict(format!("an agency with code {code} already exists")).with_field("code"));
    }
    Ok(())
}

/// The row of a new agency, in existence with no dates.
pub fn agency_model(id: AgencyId, new: NewAgency, now: DateTime<Utc>) -> agency::Model {
    agency::Model {
        id: id.0,
        code: new.code,
        name: new.name,
        name_i18n: new.translations.to_json(),
        kind: new.kind,
        level: new.level,
        parent_id: new.parent.map(|p| p.0),
        valid_from: None,
        valid_to: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

impl Tx {
    pub async fn create_agency(&self, new: NewAgency) -> Result<agency::Model> {
        check_code_free(self, &new.code, None).await?;
        if let Some(parent) = new.parent {
            require_agency(self, parent, "parentId").await?;
        }
        let created =
            agency::ActiveModel::from(agency_model(AgencyId::generate(), new, Utc::now())).insert(self).await?;
        self.created(&created);
        Ok(created)
    }

    pub async fn update_agency(&self, id: AgencyId, expected: i32, ch: AgencyChanges) -> Result<agency::Model> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        if let Some(code) = &ch.code {
            check_code_free(self, code, Some(id.0)).await?;
        }
        if let Some(Some(parent)) = ch.parent {
            require_agency(self, parent, "parentId").await?;
            if is_ancestor_or_self(self, Hierarchy::Agency, parent.0, id.0).await? {
                return Err(Error::bad_field(
                    "parentId",
                    "the new parent is this agency or one of the agencies under it: that would make a cycle",
                ));
            }
        }
        let before = current.clone();
        let (version, now) = bump(current.version);
        let mut names = Translations::from_json(&current.name_i18n);
        if let Some(en) = &ch.name_en {
            names.set("nameEn", "en", en.as_deref())?;
        }
        let mut model: agency::ActiveModel = current.into();
        if let Some(code) = ch.code {
            model.code = Set(code);
        }
        if let Some(name) = ch.name {
            model.name = Set(name);
        }
        if let Some(kind) = ch.kind {
            model.kind = Set(kind);
        }
        if let Some(level) = ch.level {
            model.level = Set(level);
        }
        if let Some(parent) = ch.parent {
            model.parent_id = Set(parent.map(|p| p.0));
        }
        if let Some(from) = ch.valid_from {
            model.valid_from = Set(from);
        }
        if let Some(to) = ch.valid_to {
            model.valid_to = Set(to);
        }
        model.name_i18n = Set(names.to_json());
        model.version = Set(version);
        model.updated_at = Set(now);
        let after = model.update(self).await?;
        self.updated(&before, &after);
        Ok(after)
    }

    /// Deletes an agency that nothing refers to; otherwise says what still refers to it.
    pub async fn delete_agency(&self, id: AgencyId, expected: i32) -> Result<()> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        let children = Entity::find().filter(Column::ParentId.eq(id.0)).count(self).await?;
        let documents = document::Entity::find().filter(document::Column::IssuerId.eq(id.0)).count(self).await?;
        let assignments =
            task_assignment::Entity::find().filter(task_assignment::Column::AgencyId.eq(id.0)).count(self).await?;
        let reports =
            progress_report::Entity::find().filter(progress_report::Column::AgencyId.eq(id.0)).count(self).await?;
        let uses: Vec<String> = [
            (children, "agencies under it"),
            (documents, "documents it issued"),
            (assignments, "task assignments"),
            (reports, "progress reports"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if !uses.is_empty() {
            return Err(Error::conflict(format!(
                "agency {} is still referred to by {}; an agency that has acted keeps its record",
                current.code,
                uses.join(", ")
            )));
        }
        Entity::delete_by_id(id.0).exec(self).await?;
        self.deleted(&current);
        Ok(())
    }

    /// Every agency, for matching the codes and names a file gives.
    pub async fn all_agencies(&self) -> Result<Vec<agency::Model>> {
        Ok(Entity::find().all(self).await?)
    }

    pub async fn agency_by_code(&self, code: &str) -> Result<Option<agency::Model>> {
        Ok(Entity::find().filter(Column::Code.eq(code)).one(self).await?)
    }
}
