//! Progress reports that assigned agencies submit on their tasks.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::progress_report::{self, Column, Entity};
use entity::sea_orm_active_enums::PeriodKind;
use entity::task_assignment;
use sea_orm::sea_query::{ExprTrait, IntoColumnRef};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use super::locks::{bump, lock, lock_version};
use super::page::{Page, Window, fetch_windows};
use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::ids::{AgencyId, ReportId, TaskId};

#[derive(Debug, Clone)]
pub struct NewReport {
    pub task: TaskId,
    pub agency: AgencyId,
    pub period_kind: PeriodKind,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub percent_complete: i32,
    pub narrative: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReportChanges {
    pub period_kind: Option<PeriodKind>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub percent_complete: Option<i32>,
    pub narrative: Option<String>,
}

impl Store {
    pub async fn reports_by_ids(&self, ids: &[Uuid]) -> Result<Vec<progress_report::Model>> {
        Ok(Entity::find().filter(Column::Id.is_in(ids.iter().copied())).all(self.conn()).await?)
    }

    pub async fn reports_of(
        &self,
        tasks: &[Uuid],
        window: Window,
    ) -> Result<HashMap<Uuid, Page<progress_report::Model>>> {
        let parent = (Entity, Column::TaskId).into_column_ref();
        fetch_windows(self.conn(), Entity::find(), parent, Column::Id, tasks, window).await
    }
}

/// Only an agency responsible for the task during the period may report on it.
async fn check_reporter(tx: &Tx, task: TaskId, agency: AgencyId, start: NaiveDate, end: NaiveDate) -> Result<()> {
    let responsible = task_assignment::Entity::find()
        .filter(task_assignment::Column::TaskId.eq(task.0))
        .filter(task_assignment::Column::AgencyId.eq(agency.0))
        .filter(task_assignment::Column::AssignedOn.lte(end))
        .filter(task_assignment::Column::EndedOn.is_null().or(task_assignment::Column::EndedOn.gte(start)))
        .count(tx)
        .await?;
    if responsible == 0 {
        return Err(Error::bad_field(
            "agencyId",
            "only an agency assigned to the task (presiding or coordinating) during the period may report on it",
        ));
    }
    Ok(())
}

fn check_period(start: NaiveDate, end: NaiveDate) -> Result<()> {
    if start > end {
        return Err(Error::bad_field("periodEnd", "periodEnd cannot be before periodStart"));
    }
    Ok(())
}

fn check_percent(percent: i32) -> Result<()> {
    if !(0..=100).contains(&percent) {
        return Err(Error::bad_field("percentComplete", "percentComplete must be between 0 and 100"));
    }
    Ok(())
}

/// The row of a new progress report.
pub fn report_model(id: ReportId, new: NewReport, now: DateTime<Utc>) -> progress_report::Model {
    progress_report::Model {
        id: id.0,
        task_id: new.task.0,
        agency_id: new.agency.0,
        period_kind: new.period_kind,
        period_start: new.period_start,
        period_end: new.period_end,
        percent_complete: new.percent_complete,
        narrative: new.narrative,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

impl Tx {
    pub async fn submit_report(&self, new: NewReport) -> Result<progress_report::Model> {
        check_period(new.period_start, new.period_end)?;
        check_percent(new.percent_complete)?;
        lock::<entity::task::Entity, _>(self, new.task.0).await?;
        check_reporter(self, new.task, new.agency, new.period_start, new.period_end).await?;
        let created = progress_report::ActiveModel::from(report_model(ReportId::generate(), new, Utc::now()))
            .insert(self)
            .await?;
        self.created(&created);
        Ok(created)
    }

    pub async fn update_report(
        &self,
        id: ReportId,
        expected: i32,
        ch: ReportChanges,
    ) -> Result<progress_report::Model> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        let start = ch.period_start.unwrap_or(current.period_start);
        let end = ch.period_end.unwrap_or(current.period_end);
        check_period(start, end)?;
        if let Some(p) = ch.percent_complete {
            check_percent(p)?;
        }
        check_reporter(self, TaskId(current.task_id), AgencyId(current.agency_id), start, end).await?;
        let (version, now) = bump(current.version);
        let before = current.clone();
        let mut model: progress_report::ActiveModel = current.into();
        if let Some(kind) = ch.period_kind {
            model.period_kind = Set(kind);
        }
        model.period_start = Set(start);
        model.period_end = Set(end);
        if let Some(p) = ch.percent_complete {
            model.percent_complete = Set(p);
        }
        if let Some(n) = ch.narrative {
            model.narrative = Set(n);
        }
        model.version = Set(version);
        model.updated_at = Set(now);
        let after = model.update(self).await?;
        self.updated(&before, &after);
        Ok(after)
    }

    pub async fn delete_report(&self, id: ReportId, expected: i32) -> Result<()> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        Entity::delete_by_id(id.0).exec(self).await?;
        self.deleted(&current);
        Ok(())
    }
}
