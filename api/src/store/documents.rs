//! Documents and the links between them.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::agency;
use entity::document::{self, Column, Entity};
use entity::document_relation as relation;
use entity::sea_orm_active_enums::{DocumentKind, DocumentStatus, DocumentSystem, RelationKind};
use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set, Statement,
};
use std::collections::HashMap;
use uuid::Uuid;

use super::agencies::require_agency_on;
use super::locks::{bump, lock_version};
use super::page::{Page, PageRequest, Window, fetch_page, fetch_windows};
use super::{Store, Tx};
use crate::domain::i18n::Translations;
use crate::domain::kind::{default_kind, system_of};
use crate::domain::symbol::DocumentSymbol;
use crate::error::{Error, Result};
use crate::ids::{AgencyId, DocumentId};

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DocumentQuery {
    /// A normalized symbol.
    pub symbol: Option<String>,
    pub kind: Option<DocumentKind>,
    pub system: Option<DocumentSystem>,
    pub status: Option<DocumentStatus>,
    pub issuer_code: Option<String>,
    pub issued_from: Option<NaiveDate>,
    pub issued_to: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewDocument {
    pub symbol: DocumentSymbol,
    pub kind: Option<DocumentKind>,
    pub issuer: AgencyId,
    pub issued_on: NaiveDate,
    pub title: String,
    pub title_translations: Translations,
    pub summary: Option<String>,
    pub summary_translations: Translations,
    pub horizon_year: Option<i32>,
    pub status: DocumentStatus,
    pub source_url: Option<String>,
    pub implements: Vec<DocumentId>,
}

/// Fields to change; `None` leaves a field as it is, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct DocumentChanges {
    pub symbol: Option<DocumentSymbol>,
    pub kind: Option<DocumentKind>,
    pub issuer: Option<AgencyId>,
    pub issued_on: Option<NaiveDate>,
    pub title: Option<String>,
    pub title_en: Option<Option<String>>,
    pub summary: Option<Option<String>>,
    pub summary_en: Option<Option<String>>,
    pub horizon_year: Option<Option<i32>>,
    pub status: Option<DocumentStatus>,
    pub source_url: Option<Option<String>>,
}

pub(super) fn query_condition(q: &DocumentQuery) -> Condition {
    let mut cond = Condition::all();
    if let Some(symbol) = &q.symbol {
        cond = cond.add(Column::Symbol.eq(symbol.as_str()));
    }
    if let Some(kind) = q.kind {
        cond = cond.add(Column::Kind.eq(kind));
    }
    if let Some(system) = q.system {
        cond = cond.add(Column::System.eq(system));
    }
    if let Some(status) = q.status {
        cond = cond.add(Column::Status.eq(status));
    }
    if let Some(code) = &q.issuer_code {
        let issuer = Query::select()
            .column(agency::Column::Id)
            .from(agency::Entity)
            .and_where(Expr::col(agency::Column::Code).eq(code.as_str()))
            .to_owned();
        cond = cond.add(Column::IssuerId.in_subquery(issuer));
    }
    if let Some(from) = q.issued_from {
        cond = cond.add(Column::IssuedOn.gte(from));
    }
    if let Some(to) = q.issued_to {
        cond = cond.add(Column::IssuedOn.lte(to));
    }
    cond
}

/// Which way along a relation a nested list looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Documents that the parent points at (`implements`: what the parent carries out).
    Targets,
    /// Documents that point at the parent (`implementedBy`: what carries the parent out).
    Sources,
}

impl Store {
    pub async fn documents_by_ids(&self, ids: &[Uuid]) -> Result<Vec<document::Model>> {
        Ok(Entity::find().filter(Column::Id.is_in(ids.iter().copied())).all(self.conn()).await?)
    }

    pub async fn list_documents(&self, q: &DocumentQuery, req: PageRequest) -> Result<Page<document::Model>> {
        fetch_page(self.conn(), Entity::find().filter(query_condition(q)), Column::Id, req).await
    }

    pub async fn count_documents(&self, q: &DocumentQuery) -> Result<u64> {
        Ok(Entity::find().filter(query_condition(q)).count(self.conn()).await?)
    }

    /// For each parent, a page of the documents linked to it by `kind` in `direction`.
    pub async fn related_documents(
        &self,
        parents: &[Uuid],
        kind: RelationKind,
        direction: Direction,
        window: Window,
    ) -> Result<HashMap<Uuid, Page<document::Model>>> {
        let (join, parent) = match direction {
            Direction::Sources => (relation::Relation::From, relation::Column::ToId),
            Direction::Targets => (relation::Relation::To, relation::Column::FromId),
        };
        let select = Entity::find().join(JoinType::InnerJoin, join.def().rev()).filter(relation::Column::Kind.eq(kind));
        fetch_windows(self.conn(), select, parent.into_column_ref(), Column::Id, parents, window).await
    }
}

/// Serialises changes to the document graph so that two links that together would close a cycle
/// cannot both pass the check. SQLite's write transaction already does this.
pub(super) async fn lock_graph(tx: &Tx) -> Result<()> {
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SELECT pg_advisory_xact_lock(7212024057)").await?;
    }
    Ok(())
}

/// Whether `goal` can be reached from `start` along links of `kind`.
async fn reaches(tx: &Tx, start: Uuid, goal: Uuid, kind: RelationKind) -> Result<bool> {
    let sql = "WITH RECURSIVE reach(id) AS (SELECT $1 UNION SELECT r.to_id FROM document_relation r \
               JOIN reach ON r.from_id = reach.id WHERE r.kind = $2) SELECT 1 AS hit FROM reach WHERE id = $3";
    let kind: sea_orm::Value = kind.as_str().into();
    let stmt = Statement::from_sql_and_values(tx.get_database_backend(), sql, [start.into(), kind, goal.into()]);
    Ok(tx.query_one_raw(stmt).await?.is_some())
}

/// Links that must never form a cycle: a document cannot carry out, or replace, itself.
fn acyclic(kind: RelationKind) -> bool {
    matches!(kind, RelationKind::Implements | RelationKind::Replaces)
}

/// Fails unless `id` names a document; `field` names the input for the error.
pub(super) async fn require_document(tx: &Tx, id: DocumentId, field: &str) -> Result<document::Model> {
    Entity::find_by_id(id.0)
        .one(tx)
        .await?
        .ok_or_else(|| Error::bad_field(field, format!("{field} names no existing document")))
}

/// Refuses a second document with the same symbol from the same issuer in the same year.
async fn check_unique(tx: &Tx, issuer: Uuid, symbol: &str, year: i32, except: Option<Uuid>) -> Result<()> {
    let mut q = Entity::find()
        .filter(Column::IssuerId.eq(issuer))
        .filter(Column::Symbol.eq(symbol))
        .filter(Column::IssuedYear.eq(year));
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    if q.count(tx).await? > 0 {
        return Err(Error::conflict(format!(
            "this issuer already has a document {symbol} issued in {year}: a symbol is unique per issuer and year"
        ))
        .with_field("symbol"));
    }
    Ok(())
}

/// A year written in the symbol (`30/2020/NĐ-CP`) must be the year of issue.
fn check_symbol_year(symbol: &DocumentSymbol, issued_on: NaiveDate) -> Result<()> {
    match symbol.year() {
        Some(year) if year != issued_on.year() => Err(Error::bad_field(
            "issuedOn",
            format!("the symbol {symbol} carries the year {year}, but issuedOn is in {}", issued_on.year()),
        )),
        _ => Ok(()),
    }
}

/// The row of a new document, its symbol's parts and its system derived from the symbol.
pub fn document_model(id: DocumentId, new: &NewDocument, now: DateTime<Utc>) -> document::Model {
    document::Model {
        id: id.0,
        symbol: new.symbol.normalized().to_owned(),
        symbol_number: new.symbol.number().to_owned(),
        symbol_year: new.symbol.year(),
        symbol_type_code: new.symbol.type_code().map(str::to_owned),
        symbol_issuer_code: new.symbol.issuer_code().to_owned(),
        symbol_unit: new.symbol.unit().map(str::to_owned),
        system: system_of(&new.symbol),
        kind: new.kind.unwrap_or_else(|| default_kind(&new.symbol)),
        issuer_id: new.issuer.0,
        issued_on: new.issued_on,
        issued_year: new.issued_on.year(),
        title: new.title.clone(),
        title_i18n: new.title_translations.to_json(),
        summary: new.summary.clone(),
        summary_i18n: new.summary_translations.to_json(),
        horizon_year: new.horizon_year,
        status: new.status,
        source_url: new.source_url.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

impl Tx {
    pub async fn create_document(&self, new: NewDocument) -> Result<document::Model> {
        check_symbol_year(&new.symbol, new.issued_on)?;
        require_agency_on(self, new.issuer, new.issued_on, "issuerId").await?;
        let year = new.issued_on.year();
        check_unique(self, new.issuer.0, new.symbol.normalized(), year, None).await?;
        for target in &new.implements {
            require_document(self, *target, "implementsIds").await?;
        }
        let id = DocumentId::generate();
        let model: document::ActiveModel = document_model(id, &new, Utc::now()).into();
        let created = model.insert(self).await?;
        self.created(&created);
        // A new document has no incoming links, so linking it cannot close a cycle.
        for target in new.implements {
            insert_relation(self, id, target, RelationKind::Implements).await?;
        }
        Ok(created)
    }

    pub async fn update_document(&self, id: DocumentId, expected: i32, ch: DocumentChanges) -> Result<document::Model> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        let issuer = ch.issuer.map_or(current.issuer_id, |a| a.0);
        let issued_on = ch.issued_on.unwrap_or(current.issued_on);
        if ch.issuer.is_some() || ch.issued_on.is_some() {
            let field = if ch.issuer.is_some() { "issuerId" } else { "issuedOn" };
            require_agency_on(self, AgencyId(issuer), issued_on, field).await?;
        }
        let symbol = match &ch.symbol {
            Some(s) => s.clone(),
            None => DocumentSymbol::parse(&current.symbol).map_err(Error::internal)?,
        };
        check_symbol_year(&symbol, issued_on)?;
        check_unique(self, issuer, symbol.normalized(), issued_on.year(), Some(id.0)).await?;

        let before = current.clone();
        let (version, now) = bump(current.version);
        let mut titles = Translations::from_json(&current.title_i18n);
        if let Some(en) = &ch.title_en {
            titles.set("titleEn", "en", en.as_deref())?;
        }
        let mut summaries = Translations::from_json(&current.summary_i18n);
        if let Some(en) = &ch.summary_en {
            summaries.set("summaryEn", "en", en.as_deref())?;
        }
        let mut model: document::ActiveModel = current.into();
        if ch.symbol.is_some() {
            model.symbol = Set(symbol.normalized().to_owned());
            model.symbol_number = Set(symbol.number().to_owned());
            model.symbol_year = Set(symbol.year());
            model.symbol_type_code = Set(symbol.type_code().map(str::to_owned));
            model.symbol_issuer_code = Set(symbol.issuer_code().to_owned());
            model.symbol_unit = Set(symbol.unit().map(str::to_owned));
            model.system = Set(system_of(&symbol));
        }
        if let Some(kind) = ch.kind {
            model.kind = Set(kind);
        }
        model.issuer_id = Set(issuer);
        model.issued_on = Set(issued_on);
        model.issued_year = Set(issued_on.year());
        if let Some(title) = ch.title {
            model.title = Set(title);
        }
        if let Some(summary) = ch.summary {
            model.summary = Set(summary);
        }
        if let Some(year) = ch.horizon_year {
            model.horizon_year = Set(year);
        }
        if let Some(status) = ch.status {
            model.status = Set(status);
        }
        if let Some(url) = ch.source_url {
            model.source_url = Set(url);
        }
        model.title_i18n = Set(titles.to_json());
        model.summary_i18n = Set(summaries.to_json());
        model.version = Set(version);
        model.updated_at = Set(now);
        let after = model.update(self).await?;
        self.updated(&before, &after);
        Ok(after)
    }

    /// Deletes a document with its task groups, tasks, assignments, progress reports and links.
    pub async fn delete_document(&self, id: DocumentId, expected: i32) -> Result<()> {
        let current = lock_version::<Entity, _>(self, id.0, expected).await?;
        Entity::delete_by_id(id.0).exec(self).await?;
        self.deleted(&current);
        Ok(())
    }

    /// Links `from` KIND `to`; linking twice is not an error. Returns both documents.
    pub async fn link_documents(
        &self,
        from: DocumentId,
        to: DocumentId,
        kind: RelationKind,
    ) -> Result<(document::Model, document::Model)> {
        if from == to {
            return Err(Error::bad_field("toId", "a document cannot be linked to itself"));
        }
        if acyclic(kind) {
            lock_graph(self).await?;
        }
        let from_doc = require_document(self, from, "fromId").await?;
        let to_doc = require_document(self, to, "toId").await?;
        if relation_exists(self, from, to, kind).await? {
            return Ok((from_doc, to_doc));
        }
        if acyclic(kind) && reaches(self, to.0, from.0, kind).await? {
            return Err(Error::bad_input(format!(
                "{} already leads to {} through {kind} links, so linking {} {kind} {} would make a cycle",
                to_doc.symbol, from_doc.symbol, from_doc.symbol, to_doc.symbol
            )));
        }
        insert_relation(self, from, to, kind).await?;
        Ok((from_doc, to_doc))
    }

    pub async fn unlink_documents(
        &self,
        from: DocumentId,
        to: DocumentId,
        kind: RelationKind,
    ) -> Result<(document::Model, document::Model)> {
        let from_doc = require_document(self, from, "fromId").await?;
        let to_doc = require_document(self, to, "toId").await?;
        let link = relation::Entity::find()
            .filter(relation::Column::FromId.eq(from.0))
            .filter(relation::Column::ToId.eq(to.0))
            .filter(relation::Column::Kind.eq(kind))
            .one(self)
            .await?
            .ok_or_else(|| Error::not_found(format!("{} has no {kind} link to {}", from_doc.symbol, to_doc.symbol)))?;
        relation::Entity::delete_by_id(link.id).exec(self).await?;
        self.deleted(&link);
        Ok((from_doc, to_doc))
    }

    /// The most recent document with this symbol from this issuer.
    /// The document `id` names; `field` names the input for the error.
    pub async fn existing_document(&self, id: DocumentId, field: &str) -> Result<document::Model> {
        require_document(self, id, field).await
    }

    pub async fn document_by_symbol(&self, issuer: Uuid, symbol: &str) -> Result<Option<document::Model>> {
        Ok(Entity::find()
            .filter(Column::IssuerId.eq(issuer))
            .filter(Column::Symbol.eq(symbol))
            .order_by_desc(Column::IssuedOn)
            .one(self)
            .await?)
    }

    pub async fn document_by_key(&self, issuer: Uuid, symbol: &str, year: i32) -> Result<Option<document::Model>> {
        Ok(Entity::find()
            .filter(Column::IssuerId.eq(issuer))
            .filter(Column::Symbol.eq(symbol))
            .filter(Column::IssuedYear.eq(year))
            .one(self)
            .await?)
    }
}

async fn relation_exists(tx: &Tx, from: DocumentId, to: DocumentId, kind: RelationKind) -> Result<bool> {
    Ok(relation::Entity::find()
        .filter(relation::Column::FromId.eq(from.0))
        .filter(relation::Column::ToId.eq(to.0))
        .filter(relation::Column::Kind.eq(kind))
        .count(tx)
        .await?
        > 0)
}

async fn insert_relation(tx: &Tx, from: DocumentId, to: DocumentId, kind: RelationKind) -> Result<()> {
    let link = relation::ActiveModel {
        id: Set(Uuid::now_v7()),
        from_id: Set(from.0),
        to_id: Set(to.0),
        kind: Set(kind),
        created_at: Set(Utc::now()),
    }
    .insert(tx)
    .await?;
    tx.created(&link);
    Ok(())
}
