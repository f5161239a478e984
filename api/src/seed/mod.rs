//! The sample hierarchy of the domain notes (57-KL/TW and what carries it out, 837/QĐ-TTg, …),
//! loaded through the same write paths as the API. Loading it twice changes nothing.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use entity::sea_orm_active_enums::{
    AgencyEventKind, AgencyKind, AgencyLevel, DocumentKind, DocumentStatus, PeriodKind, ProgressState, Recurrence,
    RelationKind,
};
use serde::Deserialize;

use crate::domain::deadline::Deadline;
use crate::domain::i18n::Translations;
use crate::domain::symbol::DocumentSymbol;
use crate::domain::text;
use crate::error::{Error, Result};
use crate::ids::{AgencyId, DocumentId, TaskGroupId, TaskId};
use crate::store::{AuditContext, NewAgency, NewDocument, NewReport, NewTask, NewTaskGroup, Reorganisation, Store, Tx};

const SAMPLE: &str = include_str!("sample.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sample {
    agencies: Vec<SampleAgency>,
    documents: Vec<SampleDocument>,
    /// Reorganisations, in the order they happened, applied once the documents and tasks are in.
    events: Vec<SampleEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleEvent {
    kind: AgencyEventKind,
    effective_on: NaiveDate,
    legal_basis: SampleDocumentKey,
    from_codes: Vec<String>,
    to_codes: Vec<String>,
    function: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleDocumentKey {
    symbol: String,
    issuer: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleAgency {
    code: String,
    name: String,
    name_en: Option<String>,
    kind: AgencyKind,
    level: AgencyLevel,
    parent: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleDocument {
    symbol: String,
    issuer: String,
    issued_on: NaiveDate,
    kind: Option<DocumentKind>,
    title: String,
    title_en: Option<String>,
    summary: Option<String>,
    summary_en: Option<String>,
    horizon_year: Option<i32>,
    status: DocumentStatus,
    source_url: Option<String>,
    relations: Vec<SampleRelation>,
    task_groups: Vec<SampleGroup>,
    tasks: Vec<SampleTask>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleRelation {
    kind: RelationKind,
    to_symbol: String,
    to_issuer: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleGroup {
    code: String,
    title: String,
    title_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleDeadline {
    date: Option<NaiveDate>,
    year: Option<i32>,
    recurrence: Option<Recurrence>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleTask {
    code: String,
    group: Option<String>,
    parent: Option<String>,
    title: Option<String>,
    title_en: Option<String>,
    content: String,
    content_en: Option<String>,
    expected_output: Option<String>,
    deadline: Option<SampleDeadline>,
    lead: String,
    coordinators: Vec<String>,
    assigned_on: Option<NaiveDate>,
    progress_state: ProgressState,
    completed_on: Option<NaiveDate>,
    reports: Vec<SampleReport>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleReport {
    agency: String,
    period_kind: PeriodKind,
    period_start: NaiveDate,
    period_end: NaiveDate,
    percent_complete: i32,
    narrative: String,
}

/// What a load added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub agencies: usize,
    pub documents: usize,
    pub tasks: usize,
    pub reports: usize,
    pub events: usize,
}

/// Loads the sample in one transaction; rows that already exist are left alone.
pub async fn load_sample(store: &Store) -> Result<Loaded> {
    let sample: Sample = serde_json::from_str(SAMPLE).map_err(Error::internal)?;
    let tx = store.begin(AuditContext::system("seedSample")).await?;
    let mut loader = SampleLoader { tx: &tx, agencies: HashMap::new(), loaded: Loaded::default() };
    loader.agencies(&sample.agencies).await?;
    for doc in &sample.documents {
        loader.document(doc).await?;
    }
    for event in &sample.events {
        loader.event(event).await?;
    }
    let loaded = loader.loaded;
    tx.commit().await?;
    Ok(loaded)
}

/// Whether the database holds no agency and no document yet.
pub async fn is_empty(store: &Store) -> Result<bool> {
    Ok(store.count_agencies(&Default::default()).await? == 0 && store.count_documents(&Default::default()).await? == 0)
}

struct SampleLoader<'a> {
    tx: &'a Tx,
    agencies: HashMap<String, AgencyId>,
    loaded: Loaded,
}

impl SampleLoader<'_> {
    fn agency(&self, code: &str) -> Result<AgencyId> {
        self.agencies.get(code).copied().ok_or_else(|| Error::internal(format!("sample names unknown agency {code}")))
    }

    /// Agencies in an order where each parent comes before its children.
    async fn agencies(&mut self, agencies: &[SampleAgency]) -> Result<()> {
        let mut pending: Vec<&SampleAgency> = agencies.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut later = Vec::new();
            for a in pending {
                match &a.parent {
                    Some(p) if !self.agencies.contains_key(p) => later.push(a),
                    _ => self.ensure_agency(a).await?,
                }
            }
            if later.len() == before {
                return Err(Error::internal("sample agencies have a parent cycle or an unknown parent"));
            }
            pending = later;
        }
        Ok(())
    }

    async fn ensure_agency(&mut self, a: &SampleAgency) -> Result<()> {
        let id = match self.tx.agency_by_code(&a.code).await? {
            Some(existing) => AgencyId(existing.id),
            None => {
                let new = NewAgency {
                    code: text::agency_code("code", &a.code)?,
                    name: text::required("name", &a.name)?,
                    translations: Translations::with("nameEn", "en", a.name_en.as_deref())?,
                    kind: a.kind,
                    level: a.level,
                    parent: a.parent.as_deref().map(|p| self.agency(p)).transpose()?,
                };
                self.loaded.agencies += 1;
                AgencyId(self.tx.create_agency(new).await?.id)
            }
        };
        self.agencies.insert(a.code.clone(), id);
        Ok(())
    }

    async fn find_document(&self, symbol: &str, issuer: &str, year: Option<i32>) -> Result<Option<DocumentId>> {
        let symbol = DocumentSymbol::parse(symbol).map_err(|e| Error::internal(e.message()))?;
        let issuer = self.agency(issuer)?;
        let year = year.or(symbol.year());
        match year {
            Some(y) => Ok(self.tx.document_by_key(issuer.0, symbol.normalized(), y).await?.map(|d| DocumentId(d.id))),
            None => Ok(self.tx.document_by_symbol(issuer.0, symbol.normalized()).await?.map(|d| DocumentId(d.id))),
        }
    }

    async fn document(&mut self, d: &SampleDocument) -> Result<()> {
        if self.find_document(&d.symbol, &d.issuer, Some(d.issued_on.year())).await?.is_some() {
            return Ok(());
        }
        let new = NewDocument {
            symbol: DocumentSymbol::parse(&d.symbol).map_err(|e| Error::internal(e.message()))?,
            kind: d.kind,
            issuer: self.agency(&d.issuer)?,
            issued_on: d.issued_on,
            title: text::required("title", &d.title)?,
            title_translations: Translations::with("titleEn", "en", d.title_en.as_deref())?,
            summary: text::optional("summary", d.summary.as_deref())?,
            summary_translations: Translations::with("summaryEn", "en", d.summary_en.as_deref())?,
            horizon_year: d.horizon_year,
            status: d.status,
            source_url: d.source_url.clone(),
            implements: Vec::new(),
        };
        let doc = DocumentId(self.tx.create_document(new).await?.id);
        self.loaded.documents += 1;
        for r in &d.relations {
            let to = self
                .find_document(&r.to_symbol, &r.to_issuer, None)
                .await?
                .ok_or_else(|| Error::internal(format!("sample relation to unknown {}", r.to_symbol)))?;
            self.tx.link_documents(doc, to, r.kind).await?;
        }
        let mut groups = HashMap::new();
        for g in &d.task_groups {
            let new = NewTaskGroup {
                document: doc,
                code: g.code.clone(),
                title: text::required("title", &g.title)?,
                translations: Translations::with("titleEn", "en", g.title_en.as_deref())?,
            };
            groups.insert(g.code.clone(), TaskGroupId(self.tx.create_task_group(new).await?.id));
        }
        let mut tasks: HashMap<String, TaskId> = HashMap::new();
        // Parents before subtasks.
        let mut pending: Vec<&SampleTask> = d.tasks.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut later = Vec::new();
            for t in pending {
                match &t.parent {
                    Some(p) if !tasks.contains_key(p) => later.push(t),
                    _ => {
                        let id = self.task(doc, t, &groups, &tasks).await?;
                        tasks.insert(t.code.clone(), id);
                    }
                }
            }
            if later.len() == before {
                return Err(Error::internal(format!("sample tasks of {} have unknown parents", d.symbol)));
            }
            pending = later;
        }
        Ok(())
    }

    /// Records the event unless one of its kind, day and legal basis is there already.
    async fn event(&mut self, e: &SampleEvent) -> Result<()> {
        let basis = self
            .find_document(&e.legal_basis.symbol, &e.legal_basis.issuer, None)
            .await?
            .ok_or_else(|| Error::internal(format!("sample event on unknown {}", e.legal_basis.symbol)))?;
        if self.tx.event_by_key(e.kind, e.effective_on, basis).await?.is_some() {
            return Ok(());
        }
        let codes = |list: &[String], field: &str| -> Result<Vec<String>> {
            list.iter().map(|c| text::agency_code(field, c)).collect()
        };
        let event = Reorganisation {
            kind: e.kind,
            effective_on: e.effective_on,
            legal_basis: basis,
            from_codes: codes(&e.from_codes, "fromCodes")?,
            to_codes: codes(&e.to_codes, "toCodes")?,
            function: text::optional("function", e.function.as_deref())?,
            new_name: None,
            task_document: None,
        };
        self.tx.reorganize(event).await?;
        self.loaded.events += 1;
        Ok(())
    }

    async fn task(
        &mut self,
        doc: DocumentId,
        t: &SampleTask,
        groups: &HashMap<String, TaskGroupId>,
        tasks: &HashMap<String, TaskId>,
    ) -> Result<TaskId> {
        let deadline = match &t.deadline {
            Some(d) => Deadline::from_parts(d.date, d.year, d.recurrence)?,
            None => Deadline::None,
        };
        let new = NewTask {
            document: doc,
            group: t.group.as_ref().and_then(|g| groups.get(g).copied()),
            parent: t.parent.as_ref().and_then(|p| tasks.get(p).copied()),
            code: t.code.clone(),
            title: text::optional("title", t.title.as_deref())?,
            title_translations: Translations::with("titleEn", "en", t.title_en.as_deref())?,
            content: text::required("content", &t.content)?,
            content_translations: Translations::with("contentEn", "en", t.content_en.as_deref())?,
            expected_output: text::optional("expectedOutput", t.expected_output.as_deref())?,
            deadline,
            lead: self.agency(&t.lead)?,
            coordinators: t.coordinators.iter().map(|c| self.agency(c)).collect::<Result<_>>()?,
            assigned_on: t.assigned_on,
        };
        let created = self.tx.create_task(new).await?;
        let id = TaskId(created.id);
        self.loaded.tasks += 1;
        for r in &t.reports {
            let report = NewReport {
                task: id,
                agency: self.agency(&r.agency)?,
                period_kind: r.period_kind,
                period_start: r.period_start,
                period_end: r.period_end,
                percent_complete: r.percent_complete,
                narrative: text::required("narrative", &r.narrative)?,
            };
            self.tx.submit_report(report).await?;
            self.loaded.reports += 1;
        }
        if t.progress_state != ProgressState::NotStarted {
            self.tx.set_task_progress(id, created.version, t.progress_state, t.completed_on).await?;
        }
        Ok(id)
    }
}
