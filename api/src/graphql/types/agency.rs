use async_graphql::{Context, ID};
use entity::agency;
use entity::sea_orm_active_enums::{AgencyKind, AgencyLevel, AssignmentRole, EventSide};

use super::Task;
use super::rollup::{self, TaskProgress};
use crate::graphql::loaders::{EventsOf, PageOf, PartiesOf};
use crate::graphql::pagination::{Conn, nested, window};
use crate::graphql::reorganize::{AgencyChangeEvent, AgencyNameRecord, name_history};
use crate::store::Rollup;
use crate::store::{ProgressSpec, Responsibility};

use crate::error::Result;
use crate::graphql::context::request;
use crate::graphql::scalars::Date;
use crate::ids::AgencyId;

/// A body that issues documents and presides over or coordinates tasks: the Politburo, a ministry,
/// a provincial People's Committee, one of its departments.
pub struct Agency(pub agency::Model);

impl Agency {
    /// Agencies on the `other` side of the events where this one is on `mine`.
    async fn linked(&self, ctx: &Context<'_>, mine: EventSide, other: EventSide) -> Result<Vec<Agency>> {
        let rc = request(ctx);
        let events = rc.load_ref(EventsOf(AgencyId(self.0.id))).await?;
        let keys = events.iter().filter(|(_, side)| *side == mine).map(|(e, _)| PartiesOf(e.id));
        let parties = rc.loader.load_many(keys).await?;
        let mut ids: Vec<AgencyId> = Vec::new();
        for (e, _) in events.iter().filter(|(_, side)| *side == mine) {
            for (agency, side) in parties.get(&PartiesOf(e.id)).into_iter().flatten() {
                let id = AgencyId(*agency);
                if *side == other && *agency != self.0.id && !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        let found = rc.loader.load_many(ids.clone()).await?;
        Ok(ids.into_iter().filter_map(|id| found.get(&id).cloned().map(Agency)).collect())
    }
}

entity_object! {
impl Agency {
    pub async fn id(&self) -> ID {
        AgencyId(self.0.id).to_global().into()
    }

    /// A stable ASCII key chosen by this service, e.g. `HY-STTTT`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The name in `lang` (e.g. `en`), falling back to the Vietnamese original.
    async fn name(&self, ctx: &Context<'_>, lang: Option<String>) -> &str {
        request(ctx).localized(&self.0.name, &self.0.name_i18n, lang.as_deref())
    }

    async fn kind(&self) -> AgencyKind {
        self.0.kind
    }

    async fn level(&self) -> AgencyLevel {
        self.0.level
    }

    /// The agency this one sits under (a department's ministry or People's Committee).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        match self.0.parent_id {
            Some(id) => Ok(Some(Agency(request(ctx).load_ref(AgencyId(id)).await?))),
            None => Ok(None),
        }
    }

    /// First day of existence, when known.
    /// Tasks on which the agency held a role (`role`, or either) on `asOf` (today in Vietnam when
    /// not given), across every document, counted by status then.
    async fn performance(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        role: Option<AssignmentRole>,
    ) -> Result<TaskProgress> {
        let spec = ProgressSpec { as_of: rollup::as_of(as_of), include_descendants: false, role };
        rollup::counts(ctx, self.0.id, Rollup::Performance(spec)).await
    }

    /// The reorganisations the agency took part in, oldest first.
    async fn change_events(&self, ctx: &Context<'_>) -> Result<Vec<AgencyChangeEvent>> {
        let mut events = request(ctx).load_ref(EventsOf(AgencyId(self.0.id))).await?;
        // An agency on both sides (a merger into one of the merged) is in the event once.
        events.dedup_by_key(|(e, _)| e.id);
        Ok(events.into_iter().map(|(model, _)| AgencyChangeEvent { model, parties: None }).collect())
    }

    /// The agencies this one took over from, directly, by merger, split, dissolution or transfer.
    async fn predecessors(&self, ctx: &Context<'_>) -> Result<Vec<Agency>> {
        self.linked(ctx, EventSide::Successor, EventSide::Predecessor).await
    }

    /// The agencies that took over from this one, directly.
    async fn successors(&self, ctx: &Context<'_>) -> Result<Vec<Agency>> {
        self.linked(ctx, EventSide::Predecessor, EventSide::Successor).await
    }

    /// The tasks on which the agency holds a role (`role`, or either) now, or held one on `asOf`;
    /// with `includePredecessors`, also those of the agencies it took over from. In creation order.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        #[graphql(default)] include_predecessors: bool,
        role: Option<AssignmentRole>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Task>> {
        let spec = Responsibility { as_of: as_of.map(|d| d.0), include_predecessors, role, window: window(first, after)? };
        let page = request(ctx).load_ref(PageOf { parent: self.0.id, spec }).await?;
        Ok(nested(page, |t| t.id, Task))
    }

    /// The names the agency bore before its current one, oldest first.
    async fn name_history(&self, ctx: &Context<'_>) -> Result<Vec<AgencyNameRecord>> {
        name_history(ctx, AgencyId(self.0.id)).await
    }

    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }

    /// The day the agency ceased to exist (merged, dissolved), if it has.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }

}
}
