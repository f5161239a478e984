//! What a steering committee reads: task counts by status, per agency, and plan coverage.

use async_graphql::{Context, Enum, Object, SimpleObject};
use entity::agency;
use uuid::Uuid;

use super::{Agency, Document};
use crate::domain::status::{AsOf, TaskStatus};
use crate::error::{Error, Result};
use crate::graphql::context::{request, today};
use crate::graphql::scalars::Date;
use crate::ids::{AgencyId, DocumentId};
use crate::store::{AgencyQuery, Coverage, ProgressSpec, StatusCounts};
use crate::store::{Rollup, RollupOf, RollupValue};

/// Loads one rollup through the request's batching loader.
pub async fn rollup(ctx: &Context<'_>, owner: Uuid, rollup: Rollup) -> Result<RollupValue> {
    request(ctx).load_ref(RollupOf(owner, rollup)).await
}

pub async fn counts(ctx: &Context<'_>, owner: Uuid, which: Rollup) -> Result<TaskProgress> {
    match rollup(ctx, owner, which).await? {
        RollupValue::Counts(counts) => Ok(TaskProgress(counts)),
        other => Err(Error::internal(format!("a count rollup gave {other:?}"))),
    }
}

/// The rows of a per-agency rollup, sorted by `order`.
pub async fn by_agency(
    ctx: &Context<'_>,
    owner: Uuid,
    spec: ProgressSpec,
    order: AgencyProgressOrder,
) -> Result<Vec<AgencyProgress>> {
    let RollupValue::ByAgency(rows) = rollup(ctx, owner, Rollup::ByAgency(spec)).await? else {
        return Err(Error::internal("a per-agency rollup gave another shape"));
    };
    let ids: Vec<AgencyId> = rows.keys().map(|id| AgencyId(*id)).collect();
    let agencies = request(ctx).loader.load_many(ids).await?;
    let mut rows: Vec<AgencyProgress> = rows
        .into_iter()
        .filter_map(|(id, counts)| Some(AgencyProgress { agency: agencies.get(&AgencyId(id))?.clone(), counts }))
        .collect();
    sort_rows(&mut rows, order);
    Ok(rows)
}

pub async fn coverage(
    ctx: &Context<'_>,
    owner: Uuid,
    expected: AgencyQuery,
    day: AsOf,
) -> Result<ImplementationCoverage> {
    match rollup(ctx, owner, Rollup::Coverage(expected, day)).await? {
        RollupValue::Coverage(coverage) => Ok(ImplementationCoverage(coverage)),
        other => Err(Error::internal(format!("a coverage rollup gave {other:?}"))),
    }
}

/// The day a rollup is taken on: today in Vietnam when not given.
pub fn as_of(value: Option<Date>) -> AsOf {
    AsOf::new(value.map_or_else(today, |d| d.0))
}

#[derive(SimpleObject)]
pub struct StatusCount {
    pub status: TaskStatus,
    pub count: u64,
}

/// Tasks counted by status on a day; each task once.
pub struct TaskProgress(pub StatusCounts);

#[Object]
impl TaskProgress {
    async fn total(&self) -> u64 {
        self.0.total()
    }

    /// Every status, in a fixed order, zeros included.
    async fn by_status(&self) -> Vec<StatusCount> {
        TaskStatus::ALL.into_iter().map(|status| StatusCount { status, count: self.0.get(status) }).collect()
    }

    /// Of the tasks that have fallen due or been completed (COMPLETED_ON_TIME, COMPLETED_LATE,
    /// IN_PROGRESS_OVERDUE), the share completed on time, from 0 to 1; null when there are none.
    async fn on_time_rate(&self) -> Option<f64> {
        self.0.on_time_rate()
    }

    /// Tasks IN_PROGRESS_OVERDUE.
    async fn overdue(&self) -> u64 {
        self.0.get(TaskStatus::InProgressOverdue)
    }
}

/// One agency's row in a steering committee's table.
pub struct AgencyProgress {
    pub agency: agency::Model,
    pub counts: StatusCounts,
}

#[Object]
impl AgencyProgress {
    async fn agency(&self) -> Agency {
        Agency(self.agency.clone())
    }

    async fn progress(&self) -> TaskProgress {
        TaskProgress(self.counts.clone())
    }
}

/// How `progressByAgency` sorts its rows.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgencyProgressOrder {
    /// Most overdue tasks first.
    #[default]
    OverdueDesc,
    /// Lowest on-time rate first (agencies with no rate last).
    OnTimeRateAsc,
    /// Most tasks first.
    TotalDesc,
}

/// Sorts rows by `order`, ties by agency code.
pub fn sort_rows(rows: &mut [AgencyProgress], order: AgencyProgressOrder) {
    rows.sort_by(|a, b| {
        let by = match order {
            AgencyProgressOrder::OverdueDesc => {
                b.counts.get(TaskStatus::InProgressOverdue).cmp(&a.counts.get(TaskStatus::InProgressOverdue))
            }
            AgencyProgressOrder::TotalDesc => b.counts.total().cmp(&a.counts.total()),
            AgencyProgressOrder::OnTimeRateAsc => {
                let rate = |p: &AgencyProgress| p.counts.on_time_rate().unwrap_or(f64::INFINITY);
                rate(a).total_cmp(&rate(b))
            }
        };
        by.then_with(|| a.agency.code.cmp(&b.agency.code))
    });
}

/// An expected agency that has issued documents carrying the document out.
pub struct CoveredAgency {
    agency: Agency,
    documents: Vec<Uuid>,
}

#[Object]
impl CoveredAgency {
    async fn agency(&self) -> &Agency {
        &self.agency
    }

    /// Its documents in the cascade, directly or through other documents.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        let ids = self.documents.iter().map(|d| DocumentId(*d));
        let found = request(ctx).loader.load_many(ids.clone()).await?;
        Ok(ids.filter_map(|id| found.get(&id).cloned().map(Document)).collect())
    }
}

/// Which expected agencies have issued their own document carrying this one out.
pub struct ImplementationCoverage(pub Coverage);

impl ImplementationCoverage {
    fn covered_agencies(&self) -> usize {
        self.0.agencies.iter().filter(|(_, docs)| !docs.is_empty()).count()
    }
}

#[Object]
impl ImplementationCoverage {
    async fn expected_count(&self) -> usize {
        self.0.agencies.len()
    }

    async fn covered_count(&self) -> usize {
        self.covered_agencies()
    }

    /// `coveredCount / expectedCount`, from 0 to 1; null when no agency is expected.
    async fn ratio(&self) -> Option<f64> {
        let expected = self.0.agencies.len();
        (expected > 0).then(|| self.covered_agencies() as f64 / expected as f64)
    }

    /// Agencies that have issued, in code order.
    async fn covered(&self) -> Vec<CoveredAgency> {
        self.0
            .agencies
            .iter()
            .filter(|(_, docs)| !docs.is_empty())
            .map(|(agency, docs)| CoveredAgency { agency: Agency(agency.clone()), documents: docs.clone() })
            .collect()
    }

    /// Agencies that have issued nothing yet, in code order.
    async fn missing(&self) -> Vec<Agency> {
        self.0.agencies.iter().filter(|(_, docs)| docs.is_empty()).map(|(a, _)| Agency(a.clone())).collect()
    }
}
