use async_graphql::{Context, ID};
use entity::document;
use entity::sea_orm_active_enums::{AssignmentRole, DocumentKind, DocumentStatus, DocumentSystem, RelationKind};

use super::rollup::{self, AgencyProgress, AgencyProgressOrder, ImplementationCoverage, TaskProgress};
use super::{Agency, DocumentSymbolType, Task, TaskGroup};
use crate::domain::symbol::DocumentSymbol;
use crate::error::{Error, Result};
use crate::exchange::FileFormat;
use crate::graphql::context::request;
use crate::graphql::exchange::{self, DiagramFormat, ExportFile};
use crate::graphql::loaders::{GroupsOf, PageOf, Related};
use crate::graphql::pagination::{Conn, nested, window};
use crate::graphql::query::TaskFilter;
use crate::graphql::query::{AgencyFilter, DocumentFilter};
use crate::graphql::scalars::Date;
use crate::ids::{AgencyId, DocumentId};
use crate::store::Rollup;
use crate::store::{Direction, DocumentQuery, Lineage, LineageSpec, ProgressSpec, TaskParent};

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

/// How far lineage walks by default, and at most: deeper than any real cascade.
const MAX_DEPTH: i32 = 20;

fn max_depth_of(value: Option<i32>) -> Result<i32> {
    match value {
        None => Ok(MAX_DEPTH),
        Some(n) if (1..=MAX_DEPTH).contains(&n) => Ok(n),
        Some(n) => Err(Error::bad_field("maxDepth", format!("maxDepth is {n}; it must be between 1 and {MAX_DEPTH}"))),
    }
}

/// A document reached through IMPLEMENTS links, with its distance and one path to it.
pub struct DocumentLineage(pub Lineage);

#[async_graphql::Object]
impl DocumentLineage {
    async fn document(&self) -> Document {
        Document(self.0.document.clone())
    }

    /// Links on the shortest path: 1 for a document linked directly.
    async fn depth(&self) -> i32 {
        self.0.depth
    }

    /// Symbols along one shortest path, from the document asked about to this one.
    async fn path(&self) -> &[String] {
        &self.0.path
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
    async fn title(&self, ctx: &Context<'_>, lang: Option<String>) -> &str {
        request(ctx).localized(&self.0.title, &self.0.title_i18n, lang.as_deref())
    }

    /// A short summary in `lang`, falling back to the Vietnamese original.
    async fn summary(&self, ctx: &Context<'_>, lang: Option<String>) -> Option<&str> {
        self.0.summary.as_deref().map(|s| request(ctx).localized(s, &self.0.summary_i18n, lang.as_deref()))
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

    /// Every document this one carries out, directly or through others, each once at its
    /// shortest distance, nearest first. `maxDepth` (1 to 20, default 20) bounds the distance.
    async fn ancestors(&self, ctx: &Context<'_>, max_depth: Option<i32>) -> Result<Vec<DocumentLineage>> {
        let spec = LineageSpec {
            direction: Direction::Targets,
            max_depth: max_depth_of(max_depth)?,
            filter: DocumentQuery::default(),
            window: None,
        };
        let page = request(ctx).load_ref(PageOf { parent: self.0.id, spec }).await?;
        Ok(page.items.into_iter().map(DocumentLineage).collect())
    }

    /// Every document that carries this one out, directly or through others (the whole cascade
    /// below it), each once at its shortest distance, nearest first; `filter` narrows what is
    /// returned, not the walk.
    async fn descendants(
        &self,
        ctx: &Context<'_>,
        max_depth: Option<i32>,
        filter: Option<DocumentFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<DocumentLineage>> {
        let spec = LineageSpec {
            direction: Direction::Sources,
            max_depth: max_depth_of(max_depth)?,
            filter: filter.unwrap_or_default().into_query()?,
            window: Some(window(first, after)?),
        };
        let page = request(ctx).load_ref(PageOf { parent: self.0.id, spec }).await?;
        Ok(nested(page, |l| l.document.id, DocumentLineage))
    }

    /// The document's tasks counted by status on `asOf` (today in Vietnam when not given); with
    /// `includeDescendants`, every task of the cascade below it, each once. Only documents issued by
    /// `asOf` count.
    async fn progress(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        #[graphql(default)] include_descendants: bool,
    ) -> Result<TaskProgress> {
        let spec = ProgressSpec { as_of: rollup::as_of(as_of), include_descendants, role: None };
        rollup::counts(ctx, self.0.id, Rollup::Progress(spec)).await
    }

    /// One row per agency holding a role (`role`, or either) on the tasks on `asOf`, with its
    /// counts: the table a steering committee reads. Most overdue first unless `orderBy` says otherwise.
    async fn progress_by_agency(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        role: Option<AssignmentRole>,
        #[graphql(default)] include_descendants: bool,
        #[graphql(default)] order_by: AgencyProgressOrder,
    ) -> Result<Vec<AgencyProgress>> {
        let spec = ProgressSpec { as_of: rollup::as_of(as_of), include_descendants, role };
        rollup::by_agency(ctx, self.0.id, spec, order_by).await
    }

    /// Which of the `expected` agencies (all provincial People's Committees, say) have issued, by
    /// `asOf`, a document carrying this one out, directly or through other documents, and which
    /// have not. Documents older than this one do not count, and only agencies that existed on
    /// `asOf` are expected unless `expected` says otherwise (`activeOn`, `active`).
    async fn implementation_coverage(
        &self,
        ctx: &Context<'_>,
        expected: AgencyFilter,
        as_of: Option<Date>,
    ) -> Result<ImplementationCoverage> {
        let day = rollup::as_of(as_of);
        rollup::coverage(ctx, self.0.id, expected.into_query_existing_on(day.day), day).await
    }

    /// The cascade below this document (`maxDepth` links deep, 0 to 20, default 20) as a file,
    /// with each task's status on `asOf` (today in Vietnam when not given): JSON, a hierarchy file
    /// that `directives import` loads into another service with the same result; CSV, the task
    /// table; XLSX, a workbook for printing with sheets of documents, tasks and presiding agencies.
    async fn export(
        &self,
        ctx: &Context<'_>,
        format: FileFormat,
        as_of: Option<Date>,
        max_depth: Option<i32>,
    ) -> Result<ExportFile> {
        exchange::export(ctx, self.0.id, format, as_of, max_depth).await
    }

    /// A diagram of the cascade below this document (`maxDepth` links deep, default 20): each
    /// document a box with its issuer, date and tasks finished on `asOf`, coloured from red (none)
    /// through amber to green (all); grey where no task can be finished. `lang: "en"` names
    /// agencies in English where a translation exists.
    async fn diagram(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] format: DiagramFormat,
        max_depth: Option<i32>,
        as_of: Option<Date>,
        lang: Option<String>,
    ) -> Result<String> {
        match format {
            DiagramFormat::Mermaid => exchange::diagram(ctx, self.0.id, max_depth, as_of, lang).await,
        }
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
