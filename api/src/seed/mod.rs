//! The hierarchy file: agencies, and documents with their links, task groups, tasks and progress
//! reports, keyed by codes and symbols. It is the format of the sample hierarchy of the domain
//! notes (57-KL/TW and what carries it out, 837/QĐ-TTg, …) and of exported cascades, and this
//! module loads it through the same write paths as the API. Loading a file twice changes nothing.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use entity::sea_orm_active_enums::{
    AgencyEventKind, AgencyKind, AgencyLevel, AssignmentRole, DocumentKind, DocumentStatus, PeriodKind, ProgressState,
    Recurrence, RelationKind,
};
use serde::{Deserialize, Serialize};

use crate::domain::deadline::Deadline;
use crate::domain::i18n::Translations;
use crate::domain::status::TaskStatus;
use crate::domain::symbol::DocumentSymbol;
use crate::domain::text;
use crate::error::{Error, Result};
use crate::ids::{AgencyId, DocumentId, TaskGroupId, TaskId};
use crate::store::{
    AuditContext, NewAgency, NewAssignment, NewDocument, NewReport, NewTask, NewTaskGroup, Reorganisation, Store, Tx,
};

const SAMPLE: &str = include_str!("sample.json");

/// A hierarchy file. Documents come after the documents they relate to; agencies in any order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hierarchy {
    pub agencies: Vec<AgencyEntry>,
    pub documents: Vec<DocumentEntry>,
    /// Reorganisations, in the order they happened, applied once the documents and tasks are in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventEntry>,
}

/// A reorganisation of agencies (see `reorganizeAgencies`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventEntry {
    pub kind: AgencyEventKind,
    pub effective_on: NaiveDate,
    pub legal_basis: DocumentKey,
    pub from_codes: Vec<String>,
    pub to_codes: Vec<String>,
    pub function: Option<String>,
}

/// A document named by its issuer's code and its symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentKey {
    pub symbol: String,
    pub issuer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgencyEntry {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: AgencyKind,
    pub level: AgencyLevel,
    /// The code of the agency above it.
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentEntry {
    pub symbol: String,
    /// The issuer's code.
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub kind: Option<DocumentKind>,
    pub title: String,
    pub title_en: Option<String>,
    pub summary: Option<String>,
    pub summary_en: Option<String>,
    pub horizon_year: Option<i32>,
    pub status: DocumentStatus,
    pub source_url: Option<String>,
    pub relations: Vec<RelationEntry>,
    pub task_groups: Vec<GroupEntry>,
    pub tasks: Vec<TaskEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationEntry {
    pub kind: RelationKind,
    pub to_symbol: String,
    pub to_issuer: String,
    /// The year the target was issued, where its symbol does not carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupEntry {
    pub code: String,
    pub title: String,
    pub title_en: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadlineEntry {
    pub date: Option<NaiveDate>,
    pub year: Option<i32>,
    pub recurrence: Option<Recurrence>,
}

impl From<Deadline> for Option<DeadlineEntry> {
    fn from(deadline: Deadline) -> Self {
        let (_, date, year, recurrence) = deadline.columns();
        (deadline != Deadline::None).then_some(DeadlineEntry { date, year, recurrence })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskEntry {
    pub code: String,
    /// The code of its task group.
    pub group: Option<String>,
    /// The code of the task it is part of.
    pub parent: Option<String>,
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub content: String,
    pub content_en: Option<String>,
    pub expected_output: Option<String>,
    pub deadline: Option<DeadlineEntry>,
    /// The presiding agency's code.
    pub lead: String,
    pub coordinators: Vec<String>,
    pub assigned_on: Option<NaiveDate>,
    pub progress_state: ProgressState,
    pub completed_on: Option<NaiveDate>,
    /// Written by exports: the status on their day. Loading ignores it: it follows from the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    pub reports: Vec<ReportEntry>,
    /// Every assignment the task has had, written by exports when some of them ended (by a
    /// reorganisation, say). Loading gives the task these, in their order, rather than `lead` and
    /// `coordinators`, which say who held the task on the export's day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<AssignmentEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentEntry {
    /// The agency's code.
    pub agency: String,
    pub role: AssignmentRole,
    pub assigned_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportEntry {
    /// The reporting agency's code.
    pub agency: String,
    pub period_kind: PeriodKind,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub percent_complete: i32,
    pub narrative: String,
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
    let sample: Hierarchy = serde_json::from_str(SAMPLE).map_err(Error::internal)?;
    load(store, &sample, AuditContext::system("seedSample")).await
}

/// Reads a hierarchy file (an exported cascade, say); the message of a refusal says where it
/// went wrong.
pub fn parse(text: &str) -> Result<Hierarchy> {
    serde_json::from_str(text).map_err(|e| Error::bad_input(format!("the file is not a hierarchy file: {e}")))
}

/// Loads a hierarchy in one transaction on behalf of `audit`; agencies, documents and tasks that
/// exist already (by code; issuer + symbol + year; document + code) are left as they are.
pub async fn load(store: &Store, hierarchy: &Hierarchy, audit: AuditContext) -> Result<Loaded> {
    let tx = store.begin(audit).await?;
    let mut loader = Loader { tx: &tx, agencies: HashMap::new(), loaded: Loaded::default() };
    loader.agencies(&hierarchy.agencies).await?;
    for doc in &hierarchy.documents {
        loader.document(doc).await?;
    }
    for event in &hierarchy.events {
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

struct Loader<'a> {
    tx: &'a Tx,
    agencies: HashMap<String, AgencyId>,
    loaded: Loaded,
}

impl Loader<'_> {
    fn agency(&self, code: &str) -> Result<AgencyId> {
        self.agencies
            .get(code)
            .copied()
            .ok_or_else(|| Error::bad_input(format!("the file names agency {code}, which its agencies do not list")))
    }

    /// Agencies in an order where each parent comes before its children.
    async fn agencies(&mut self, agencies: &[AgencyEntry]) -> Result<()> {
        let mut pending: Vec<&AgencyEntry> = agencies.iter().collect();
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
                return Err(Error::bad_input("the file's agencies have a parent cycle or a parent it does not list"));
            }
            pending = later;
        }
        Ok(())
    }

    async fn ensure_agency(&mut self, a: &AgencyEntry) -> Result<()> {
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
        let symbol = parse_symbol(symbol)?;
        let issuer = self.agency(issuer)?;
        let year = year.or(symbol.year());
        match year {
            Some(y) => Ok(self.tx.document_by_key(issuer.0, symbol.normalized(), y).await?.map(|d| DocumentId(d.id))),
            None => Ok(self.tx.document_by_symbol(issuer.0, symbol.normalized()).await?.map(|d| DocumentId(d.id))),
        }
    }

    async fn document(&mut self, d: &DocumentEntry) -> Result<()> {
        if self.find_document(&d.symbol, &d.issuer, Some(d.issued_on.year())).await?.is_some() {
            return Ok(());
        }
        let new = NewDocument {
            symbol: parse_symbol(&d.symbol)?,
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
            let to = self.find_document(&r.to_symbol, &r.to_issuer, r.to_year).await?.ok_or_else(|| {
                Error::bad_input(format!(
                    "{} relates to {} of {}, which is neither stored nor earlier in the file",
                    d.symbol, r.to_symbol, r.to_issuer
                ))
            })?;
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
        let mut pending: Vec<&TaskEntry> = d.tasks.iter().collect();
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
                return Err(Error::bad_input(format!("tasks of {} name parent tasks it does not list", d.symbol)));
            }
            pending = later;
        }
        Ok(())
    }

    /// Records the event unless one of its kind, day and legal basis is there already.
    async fn event(&mut self, e: &EventEntry) -> Result<()> {
        let basis = self.find_document(&e.legal_basis.symbol, &e.legal_basis.issuer, None).await?.ok_or_else(|| {
            Error::bad_input(format!(
                "a {} event rests on {} of {}, which is neither stored nor in the file",
                e.kind, e.legal_basis.symbol, e.legal_basis.issuer
            ))
        })?;
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
        t: &TaskEntry,
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
        let first = t.assignments.iter().map(|a| a.assigned_on).min();
        let new = match first {
            Some(day) => {
                let at_first = |role| t.assignments.iter().filter(move |a| a.assigned_on == day && a.role == role);
                let lead = at_first(AssignmentRole::Presiding).next().ok_or_else(|| {
                    Error::bad_input(format!("task {}: its first assignments name no presiding agency", t.code))
                })?;
                NewTask {
                    lead: self.agency(&lead.agency)?,
                    coordinators: at_first(AssignmentRole::Coordinating)
                        .map(|a| self.agency(&a.agency))
                        .collect::<Result<_>>()?,
                    assigned_on: Some(day),
                    ..new
                }
            }
            None => new,
        };
        let created = self.tx.create_task(new).await?;
        let id = TaskId(created.id);
        self.loaded.tasks += 1;
        if let Some(day) = first {
            self.history(id, &t.assignments, day).await?;
        }
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

impl Loader<'_> {
    /// Ends and starts the assignments after the task's first ones, day by day: on each day the
    /// ones that ended the day before go first, so that a successor can take the lead.
    async fn history(&self, task: TaskId, assignments: &[AssignmentEntry], first: NaiveDate) -> Result<()> {
        let mut steps: Vec<(NaiveDate, bool, &AssignmentEntry)> = Vec::new();
        for a in assignments {
            if a.assigned_on != first {
                steps.push((a.assigned_on, true, a));
            }
            if let Some(end) = a.ended_on {
                steps.push((end.succ_opt().unwrap_or(end), false, a));
            }
        }
        steps.sort_by_key(|(day, starts, _)| (*day, *starts));
        for (_, starts, a) in steps {
            let agency = self.agency(&a.agency)?;
            match (starts, a.ended_on) {
                (true, _) => {
                    let new = NewAssignment {
                        task,
                        agency,
                        role: a.role,
                        assigned_on: a.assigned_on,
                        reason: a.reason.clone(),
                        event: None,
                    };
                    self.tx.assign_task(new).await?;
                }
                (false, Some(end)) => {
                    self.tx.unassign_task(task, agency, end).await?;
                }
                (false, None) => {}
            }
        }
        Ok(())
    }
}

fn parse_symbol(symbol: &str) -> Result<DocumentSymbol> {
    DocumentSymbol::parse(symbol).map_err(|e| Error::bad_input(format!("{symbol}: {}", e.message())))
}
