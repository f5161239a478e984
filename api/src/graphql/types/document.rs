use async_graphql::{Context, ID};
use entity::document;
use entity::sea_orm_active_enums::{DocumentKind, DocumentStatus, DocumentSystem, RelationKind};

use super::{Agency, DocumentSymbolType, Task, TaskGroup};
use crate::domain::i18n::pick;
use crate::domain::symbol::DocumentSymbol;
use crate::error::{Error, Result};
use crate::graphql::context::request;
use crate::graphql::loaders::{GroupsOf, PageOf, Related};
use crate::graphql::pagination::{Conn, nested, window};
use crate::graphql::query::TaskFilter;
use crate::graphql::scalars::Date;
use crate::ids::{AgencyId, DocumentId};
use crate::store::{Direction, TaskParent};

/// A Party or State document: a conclusion, resolution, program, plan, decision, official letter…
pub struct Document(pub document::Model);

impl Document {
    async fn related(
        &self,
        ctx: &Context<'_>,
        direction: Direction,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Document>> {
        let spec = Related { kind: RelationKind::Implements, direction, window: window(first, after)? };
        let page = request(ctx).load_ref(PageOf { parent: self.0.id, spec }).await?;
        Ok(nested(page, |d| d.id, Document))
    }
}

entity_object! {
impl Document {
    pub async fn id(&self) -> ID {
        DocumentId(self.0.id).to_global().into()
    }

    /// The normalized number and symbol, e.g. `57-KL/TW` or `837/QĐ-TTg`.
    async fn symbol(&self) -> &str {
        &self.0.symbol
    }

    async fn symbol_parts(&self) -> Result<DocumentSymbolType> {
        DocumentSymbol::parse(&self.0.symbol).map(DocumentSymbolType).map_err(Error::internal)
    }

    async fn kind(&self) -> DocumentKind {
        self.0.kind
    }

    async fn system(&self) -> DocumentSystem {
        self.0.system
    }

    async fn issuer(&self, ctx: &Context<'_>) -> Result<Agency> {
        Ok(Agency(request(ctx).load_ref(AgencyId(self.0.issuer_id)).await?))
    }

    async fn issued_on(&self) -> Date {
        Date(self.0.issued_on)
    }

    /// The title in `lang` (e.g. `en`), falling back to the Vietnamese original.
    async fn title(&self, lang: Option<String>) -> &str {
        pick(&self.0.title, &self.0.title_i18n, lang.as_deref())
    }

    /// A short summary in `lang`, falling back to the Vietnamese original.
    async fn summary(&self, lang: Option<String>) -> Option<&str> {
        self.0.summary.as_deref().map(|s| pick(s, &self.0.summary_i18n, lang.as_deref()))
    }

    /// The year the document's targets look to, e.g. 2030.
    async fn horizon_year(&self) -> Option<i32> {
        self.0.horizon_year
    }

    async fn status(&self) -> DocumentStatus {
        self.0.status
    }

    /// Where the text of the document can be read.
    async fn source_url(&self) -> Option<&str> {
        self.0.source_url.as_deref()
    }

    /// Documents that this one carries out (its parents in the cascade).
    async fn implements(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<Conn<Document>> {
        self.related(ctx, Direction::Targets, first, after).await
    }

    /// Documents that carry this one out (its children in the cascade).
    async fn implemented_by(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Document>> {
        self.related(ctx, Direction::Sources, first, after).await
    }

    /// The task groups of the document, in order.
    async fn task_groups(&self, ctx: &Context<'_>) -> Result<Vec<TaskGroup>> {
        let groups = request(ctx).load_ref(GroupsOf(DocumentId(self.0.id))).await?;
        Ok(groups.into_iter().map(TaskGroup).collect())
    }

    /// The tasks the document lists.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Task>> {
        super::task::tasks_under(ctx, TaskParent::Document, self.0.id, filter, first, after).await
    }

}
}
