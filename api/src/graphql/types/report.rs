use async_graphql::{Context, ID};
use entity::progress_report;
use entity::sea_orm_active_enums::PeriodKind;

use super::{Agency, Task};
use crate::error::Result;
use crate::graphql::context::request;
use crate::graphql::scalars::Date;
use crate::ids::{AgencyId, ReportId, TaskId};

/// What an assigned agency reports on a task for a period.
pub struct ProgressReport(pub progress_report::Model);

entity_object! {
impl ProgressReport {
    pub async fn id(&self) -> ID {
        ReportId(self.0.id).to_global().into()
    }

    async fn task(&self, ctx: &Context<'_>) -> Result<Task> {
        Ok(Task(request(ctx).load_ref(TaskId(self.0.task_id)).await?))
    }

    /// The reporting agency.
    async fn agency(&self, ctx: &Context<'_>) -> Result<Agency> {
        Ok(Agency(request(ctx).load_ref(AgencyId(self.0.agency_id)).await?))
    }

    async fn period_kind(&self) -> PeriodKind {
        self.0.period_kind
    }

    async fn period_start(&self) -> Date {
        Date(self.0.period_start)
    }

    async fn period_end(&self) -> Date {
        Date(self.0.period_end)
    }

    async fn percent_complete(&self) -> i32 {
        self.0.percent_complete
    }

    async fn narrative(&self) -> &str {
        &self.0.narrative
    }

}
}
