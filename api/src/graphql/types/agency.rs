use async_graphql::{Context, ID};
use entity::agency;
use entity::sea_orm_active_enums::{AgencyKind, AgencyLevel, AssignmentRole};

use super::rollup::{self, TaskProgress};
use crate::graphql::loaders::Rollup;
use crate::store::ProgressSpec;

use crate::error::Result;
use crate::graphql::context::request;
use crate::graphql::scalars::Date;
use crate::ids::AgencyId;

/// A body that issues documents and presides over or coordinates tasks: the Politburo, a ministry,
/// a provincial People's Committee, one of its departments.
pub struct Agency(pub agency::Model);

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

    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }

    /// The day the agency ceased to exist (merged, dissolved), if it has.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }

}
}
