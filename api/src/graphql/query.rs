//! The root query fields and the filters they take.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::sea_orm_active_enums::{
    AgencyKind, AgencyLevel, AssignmentRole, DocumentKind, DocumentStatus, DocumentSystem, ProgressState,
};

use super::context::{KnownStatuses, authorized, today};
use super::pagination::{Conn, Total, connection, page_request};
use super::scalars::Date;
use super::types::search::{SearchConnection, SearchType};
use super::types::{
    Agency, AuditRecord, Change, ChangeScope, Document, DocumentSymbolType, FeedCursor, Node, ProgressReport, Task,
    TaskAssignment, TaskGroup,
};
use crate::domain::policy::Action;
use crate::domain::status::{AsOf, TaskStatus};
use crate::domain::symbol::DocumentSymbol;
use crate::domain::text;
use crate::error::{Error, Result};
use crate::graphql::RequestContext;
use crate::ids::{AgencyId, AssignmentId, DocumentId, GlobalId, NodeType, ReportId, TaskGroupId, TaskId};
use crate::store::{AgencyQuery, AuditQuery, DocumentQuery, TaskQuery};

#[derive(InputObject, Default)]
pub struct AgencyFilter {
    pub kind: Option<AgencyKind>,
    pub level: Option<AgencyLevel>,
    /// Agencies directly under the agency with this code.
    pub parent_code: Option<String>,
    /// Only agencies that exist today (true) or only those that no longer do (false).
    pub active: Option<bool>,
    /// Only agencies that existed on this day (with `active: false`, only those that did not).
    pub active_on: Option<Date>,
}

#[derive(InputObject, Default)]
pub struct DocumentFilter {
    /// A symbol in any accepted spelling (`837/QD-TTg`, `Số: 837/QĐ – TTg`); matched in normalized form.
    pub symbol: Option<String>,
    pub kind: Option<DocumentKind>,
    pub system: Option<DocumentSystem>,
    pub status: Option<DocumentStatus>,
    pub issuer_code: Option<String>,
    /// Issued on or after this day.
    pub issued_from: Option<Date>,
    /// Issued on or before this day.
    pub issued_to: Option<Date>,
}

#[derive(InputObject, Default)]
pub struct TaskFilter {
    /// Tasks on which the agency with this code currently presides or coordinates.
    pub agency_code: Option<String>,
    /// With `agencyCode`: only where the agency has this role.
    pub role: Option<AssignmentRole>,
    pub progress_state: Option<ProgressState>,
    /// Tasks whose fixed deadline (a date, or 31 December of a year) is before this day.
    pub due_before: Option<Date>,
    /// Tasks of this document.
    pub document_id: Option<ID>,
    /// Tasks whose status on `asOf` is one of these.
    pub status: Option<Vec<TaskStatus>>,
    /// The day `status` is judged on; today in Vietnam when not given.
    pub as_of: Option<Date>,
}

impl TaskFilter {
    pub fn into_query(self) -> Result<TaskQuery> {
        if self.role.is_some() && self.agency_code.is_none() {
            return Err(Error::bad_field("role", "filter.role needs filter.agencyCode"));
        }
        if self.as_of.is_some() && self.status.is_none() {
            return Err(Error::bad_field("asOf", "filter.asOf is the day of filter.status: give a status too"));
        }
        let statuses = self.status.map(|mut s| {
            s.sort();
            s.dedup();
            s
        });
        let as_of = AsOf::new(self.as_of.map_or_else(today, |d| d.0));
        Ok(TaskQuery {
            as_of: statuses.is_some().then_some(as_of),
            statuses,
            document: self.document_id.map(|id| DocumentId::from_global(&id, "documentId")).transpose()?,
            agency_code: self.agency_code.map(|c| c.trim().to_owned()),
            role: self.role,
            progress_state: self.progress_state,
            due_before: self.due_before.map(|d| d.0),
        })
    }
}

impl DocumentFilter {
    pub fn into_query(self) -> Result<DocumentQuery> {
        let symbol = self
            .symbol
            .map(|s| DocumentSymbol::parse(&s).map_err(|e| Error::bad_field("symbol", e.message())))
            .transpose()?;
        Ok(DocumentQuery {
            symbol: symbol.map(|s| s.normalized().to_owned()),
            kind: self.kind,
            system: self.system,
            status: self.status,
            issuer_code: self.issuer_code.map(|c| c.trim().to_owned()),
            issued_from: self.issued_from.map(|d| d.0),
            issued_to: self.issued_to.map(|d| d.0),
        })
    }
}

impl AgencyFilter {
    pub fn into_query(self) -> AgencyQuery {
        self.query(None)
    }

    /// As [`Self::into_query`], but unless the filter says otherwise only the agencies that existed
    /// on `day`: a province merged away before the day is not expected to act on it.
    pub fn into_query_existing_on(self, day: NaiveDate) -> AgencyQuery {
        self.query(Some(day))
    }

    fn query(self, existing_on: Option<NaiveDate>) -> AgencyQuery {
        let day = self.active_on.map(|d| d.0).or(existing_on);
        AgencyQuery {
            kind: self.kind,
            level: self.level,
            parent_code: self.parent_code.map(|c| c.trim().to_owned()),
            active: self.active.or(day.map(|_| true)),
            today: Some(day.unwrap_or_else(today)),
        }
    }
}

#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// Records of this entity (any global ID).
    pub entity_id: Option<ID>,
    /// Records of changes made by callers acting for this agency.
    pub agency_code: Option<String>,
    pub sub: Option<String>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
}

impl AuditFilter {
    fn into_query(self) -> Result<AuditQuery> {
        Ok(AuditQuery {
            entity_id: self
                .entity_id
                .map(|id| GlobalId::decode(&id).map(|g| g.uuid))
                .transpose()
                .map_err(|e| e.with_field("entityId"))?,
            agency_code: self.agency_code.map(|c| c.trim().to_owned()),
            sub: self.sub,
            from: self.from,
            to: self.to,
        })
    }
}

pub struct Query;

/// Loads any entity by its global id, through the batching loaders.
pub(crate) async fn load_node(rc: &RequestContext, id: &str) -> Result<Option<Node>> {
    let GlobalId { node_type, uuid } = GlobalId::decode(id).map_err(|e| e.with_field("id"))?;
    Ok(match node_type {
        NodeType::Agency => rc.load(AgencyId(uuid)).await?.map(|m| Node::Agency(Agency(m))),
        NodeType::Document => rc.load(DocumentId(uuid)).await?.map(|m| Node::Document(Document(m))),
        NodeType::TaskGroup => rc.load(TaskGroupId(uuid)).await?.map(|m| Node::TaskGroup(TaskGroup(m))),
        NodeType::Task => rc.load(TaskId(uuid)).await?.map(|m| Node::Task(Task(m))),
        NodeType::TaskAssignment => rc.load(AssignmentId(uuid)).await?.map(|m| Node::TaskAssignment(TaskAssignment(m))),
        NodeType::ProgressReport => rc.load(ReportId(uuid)).await?.map(|m| Node::ProgressReport(ProgressReport(m))),
    })
}

#[Object]
impl Query {
    /// Any entity by its global ID; null if it does not exist.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let rc = authorized(ctx, Action::Read)?;
        load_node(rc, &id).await
    }

    /// Several entities by global ID, in the order asked; null where one does not exist.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        let rc = authorized(ctx, Action::Read)?;
        if ids.len() > super::pagination::MAX_PAGE as usize {
            return Err(Error::bad_field("ids", format!("at most {} ids at once", super::pagination::MAX_PAGE)));
        }
        let loads = ids.iter().map(|id| load_node(rc, id));
        futures_util::future::try_join_all(loads).await
    }

    /// An agency by its code, e.g. `HY-STTTT`.
    async fn agency(&self, ctx: &Context<'_>, code: String) -> Result<Option<Agency>> {
        let rc = authorized(ctx, Action::Read)?;
        let code = text::agency_code("code", &code)?;
        Ok(rc.store.agencies_by_codes(&[code]).await?.into_iter().next().map(Agency))
    }

    async fn agencies(
        &self,
        ctx: &Context<'_>,
        filter: Option<AgencyFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Agency>> {
        let rc = authorized(ctx, Action::Read)?;
        let req = page_request(first, after, last, before)?;
        let query = filter.unwrap_or_default().into_query();
        let page = rc.store.list_agencies(&query, req).await?;
        Ok(connection(page, Total::Agencies(query), |m| m.id, Agency))
    }

    async fn documents(
        &self,
        ctx: &Context<'_>,
        filter: Option<DocumentFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Document>> {
        let rc = authorized(ctx, Action::Read)?;
        let req = page_request(first, after, last, before)?;
        let query = filter.unwrap_or_default().into_query()?;
        let page = rc.store.list_documents(&query, req).await?;
        Ok(connection(page, Total::Documents(query), |m| m.id, Document))
    }

    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Task>> {
        let rc = authorized(ctx, Action::Read)?;
        let req = page_request(first, after, last, before)?;
        let query = filter.unwrap_or_default().into_query()?;
        let page = rc.store.list_tasks(&query, req).await?;
        KnownStatuses::note(ctx, query.sole_status(), page.items.iter().map(|t| TaskId(t.id)));
        Ok(connection(page, Total::Tasks(query), |m| m.id, Task))
    }

    /// Who changed what, and when: one record per entity changed by a mutation. ADMIN only.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<AuditRecord>> {
        let rc = authorized(ctx, Action::ReadAudit)?;
        let req = page_request(first, after, last, before)?;
        let query = filter.unwrap_or_default().into_query()?;
        let page = rc.store.list_audit(&query, req).await?;
        Ok(connection(page, Total::Audit(query), |m| m.id, AuditRecord))
    }

    /// Every committed change, in commit order and without gaps, from after the cursor `after` (from
    /// the start without one). Follow it by passing the last cursor seen; `scope` narrows it.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        first: Option<i32>,
        scope: Option<ChangeScope>,
    ) -> Result<Connection<FeedCursor, Change>> {
        let rc = authorized(ctx, Action::Read)?;
        let after = after
            .map(|a| FeedCursor::decode_cursor(&a).map_err(|e| Error::bad_field("after", e)))
            .transpose()?
            .map_or(0, |c| c.0);
        let limit = super::pagination::window(first, None)?.limit;
        let scope = scope.unwrap_or_default().resolve(ctx).await?;
        let page = rc.store.list_changes(after, limit, &scope).await?;
        let mut connection = Connection::new(after > 0, page.has_next);
        connection.edges.extend(page.changes.into_iter().map(|c| Edge::new(FeedCursor(c.sequence), Change(c))));
        Ok(connection)
    }

    /// The cursor of the newest change. Take it before a full load, then follow `changes` from it:
    /// what changed during the load is delivered again, and nothing is missed.
    async fn changes_cursor(&self, ctx: &Context<'_>) -> Result<String> {
        let rc = authorized(ctx, Action::Read)?;
        Ok(FeedCursor(rc.store.last_sequence().await?).encode_cursor())
    }

    /// Documents (by symbol, title and summary), tasks (by title and content) and agencies (by
    /// code and name) matching every word of `query`, the last as a prefix, best first. Case and
    /// Vietnamese marks do not matter (`thong tin doi ngoai` finds `thông tin đối ngoại`); a
    /// symbol however written (`57 KL TW`, `837/QD-TTg`) finds its document first. `types` narrows
    /// the kinds of result. At most 10,000 word matches are ranked (and counted in `totalCount`):
    /// a query that matches more should be made more precise.
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        types: Option<Vec<SearchType>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SearchConnection> {
        let rc = authorized(ctx, Action::Read)?;
        super::types::search::search(rc, query, types, first, after).await
    }

    /// Parses a document number and symbol (`57-KL/TW`, `Số: 837/QD – TTg`) into its parts.
    async fn parse_symbol(&self, symbol: String) -> Result<DocumentSymbolType> {
        DocumentSymbol::parse(&symbol).map(DocumentSymbolType).map_err(|e| Error::bad_field("symbol", e.message()))
    }
}
