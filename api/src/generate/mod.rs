//! `directives generate`: a deterministic, realistic national dataset for measuring the service at
//! scale. Central documents are carried out by ministry and province plans, which commune plans
//! carry out in turn; their tasks have presiding and coordinating agencies, deadlines spread over
//! ten years, a mix of statuses like that of the Government Office's statistics, and quarterly
//! progress reports. The same seed gives the same rows; the change feed and the search index are
//! written as for any other write, in one transaction. Generated rows get no audit records: they
//! record no one's decision.

mod agencies;
mod words;

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use entity::sea_orm_active_enums::{
    AssignmentRole, DocumentKind, DocumentStatus, PeriodKind, ProgressState, Recurrence, RelationKind,
};
use entity::{agency, document, document_relation, progress_report, task, task_assignment};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use self::agencies::Apparatus;
use self::words::{TOPICS, Topic};
use crate::domain::deadline::Deadline;
use crate::domain::i18n::Translations;
use crate::domain::symbol::DocumentSymbol;
use crate::error::{Error, Result};
use crate::ids::{AgencyId, AssignmentId, DocumentId, ReportId, TaskId};
use crate::store::{
    AuditContext, NewAgency, NewAssignment, NewDocument, NewReport, NewTask, Store, Tx, agency_model, assignment_model,
    document_model, report_model, task_model,
};

/// The day the generated statuses are true on: tasks due before it are late unless done.
pub const REFERENCE_DAY: (i32, u32, u32) = (2026, 11, 30);

/// The central document whose cascade holds about a tenth of all tasks, under its real symbol.
pub const FLAGSHIP: &str = "57-KL/TW";

/// Tasks written between two flushes of their feed entries and search entries.
const TASKS_PER_FLUSH: usize = 2_000;

#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub tasks: u64,
    pub seed: u64,
}

/// What a generation wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    pub agencies: usize,
    pub documents: usize,
    pub tasks: usize,
    pub assignments: usize,
    pub reports: usize,
}

/// Fills an empty database with `spec.tasks` tasks and all they belong to, in one transaction.
pub async fn generate(store: &Store, spec: Spec) -> Result<Generated> {
    if spec.tasks == 0 {
        return Err(Error::bad_field("tasks", "generate at least one task"));
    }
    if !crate::seed::is_empty(store).await? {
        return Err(Error::bad_input("generate fills an empty database, and this one holds agencies or documents"));
    }
    let tx = store.begin(AuditContext::generated("generate")).await?;
    let mut g = Generator::new(&tx, spec);
    g.agencies().await?;
    let budgets = cascade_budgets(spec.tasks as usize, &mut g.rng);
    for (i, budget) in budgets.into_iter().enumerate() {
        g.cascade(i, budget).await?;
    }
    g.flush_tasks().await?;
    let generated = g.generated;
    tx.commit().await?;
    Ok(generated)
}

/// How many tasks each central document's cascade holds: the flagship a tenth of all, the others
/// the rest in equal parts, one central document per 25,000 tasks or so.
fn cascade_budgets(tasks: usize, rng: &mut impl Rng) -> Vec<usize> {
    let count = (tasks / 25_000).clamp(2, 200);
    let flagship = (tasks / 10).max(1);
    let others = count - 1;
    let mut budgets = vec![flagship];
    let rest = tasks.saturating_sub(flagship);
    budgets.extend((0..others).map(|i| rest / others + usize::from(i < rest % others)));
    // The flagship first, the others in a random order of size.
    budgets[1..].shuffle(rng);
    budgets
}

fn reference_day() -> NaiveDate {
    let (y, m, d) = REFERENCE_DAY;
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

/// Where a document sits in the cascade, and so who issues it and who does its tasks.
#[derive(Clone, Copy)]
enum Level {
    Central,
    Ministry(usize),
    Province(usize),
    Commune { province: usize, commune: usize },
}

struct Generator<'a> {
    tx: &'a Tx,
    rng: ChaCha8Rng,
    /// Milliseconds of the next id: ids are UUID v7, so their order is the order of creation.
    next_ms: u64,
    apparatus: Apparatus,
    agency_ids: Vec<AgencyId>,
    /// The last number used per issuer, document type and year.
    numbers: HashMap<(usize, &'static str, i32), u32>,
    documents: Vec<document::Model>,
    links: Vec<document_relation::Model>,
    tasks: Vec<task::Model>,
    assignments: Vec<task_assignment::Model>,
    reports: Vec<progress_report::Model>,
    generated: Generated,
}

impl<'a> Generator<'a> {
    fn new(tx: &'a Tx, spec: Spec) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
        let apparatus = Apparatus::new(&mut rng);
        Self {
            tx,
            rng,
            // 2025-01-01T00:00:00Z
            next_ms: 1_735_689_600_000,
            apparatus,
            agency_ids: Vec::new(),
            numbers: HashMap::new(),
            documents: Vec::new(),
            links: Vec::new(),
            tasks: Vec::new(),
            assignments: Vec::new(),
            reports: Vec::new(),
            generated: Generated::default(),
        }
    }

    fn uuid(&mut self) -> Uuid {
        let mut random = [0u8; 10];
        self.rng.fill(&mut random);
        self.next_ms += 1;
        uuid::Builder::from_unix_timestamp_millis(self.next_ms, &random).into_uuid()
    }

    /// The moment a row was recorded: the morning of the day it concerns, Vietnam time.
    fn recorded(on: NaiveDate) -> DateTime<Utc> {
        on.and_time(NaiveTime::from_hms_opt(1, 30, 0).unwrap_or_default()).and_utc()
    }

    async fn agencies(&mut self) -> Result<()> {
        let mut rows = Vec::with_capacity(self.apparatus.agencies.len());
        for i in 0..self.apparatus.agencies.len() {
            let id = AgencyId(self.uuid());
            let plan = &self.apparatus.agencies[i];
            let new = NewAgency {
                code: plan.code.clone(),
                name: plan.name.clone(),
                translations: Translations::with("nameEn", "en", Some(&plan.name_en))?,
                kind: plan.kind,
                level: plan.level,
                parent: plan.parent.map(|p| self.agency_ids[p]),
            };
            self.agency_ids.push(id);
            rows.push(agency_model(id, new, Self::recorded(day(2025, 7, 1))));
        }
        self.tx.insert_new::<agency::Entity>(&rows).await?;
        self.generated.agencies = rows.len();
        self.tx.write_records().await?;
        Ok(())
    }

    /// The next number of a document of this type, issuer and year.
    fn number(&mut self, issuer: usize, type_code: &'static str, year: i32) -> u32 {
        let n = self.numbers.entry((issuer, type_code, year)).or_insert(0);
        *n += self.rng.random_range(1..=7);
        *n
    }

    /// One central document and everything that carries it out, `budget` tasks in all.
    async fn cascade(&mut self, index: usize, budget: usize) -> Result<()> {
        let topic = if index == 0 { 0 } else { self.rng.random_range(0..TOPICS.len()) };
        let reference = reference_day();
        let issued = if index == 0 { day(2023, 6, 15) } else { plus(day(2016, 1, 4), self.rng.random_range(0..3_900)) };
        let mut remaining = budget;
        let central_tasks = remaining.min(self.rng.random_range(12..=25));
        remaining -= central_tasks;
        let central = self.central_document(index, topic, issued)?;
        let mut documents = vec![(central, Level::Central, issued, central_tasks)];

        // Ministries, then every province (most, for a small cascade), then communes with the rest.
        let ministries = (remaining / 200).min(6);
        let mut chosen = self.apparatus.ministries.clone();
        chosen.shuffle(&mut self.rng);
        for &ministry in chosen.iter().take(ministries) {
            let n = remaining.min(self.rng.random_range(20..=35));
            remaining -= n;
            let on = plus(issued, self.rng.random_range(20..120)).min(reference);
            let id = self.plan(Level::Ministry(ministry), topic, on, &[central])?;
            documents.push((id, Level::Ministry(ministry), on, n));
        }
        let provinces = (remaining / 60).min(self.apparatus.provinces.len());
        let mut plans = Vec::new();
        for p in 0..provinces {
            let n = remaining.min(self.rng.random_range(25..=45));
            remaining -= n;
            let on = plus(issued, self.rng.random_range(30..150)).min(reference);
            let id = self.plan(Level::Province(p), topic, on, &[central])?;
            documents.push((id, Level::Province(p), on, n));
            plans.push((p, id, on));
        }
        // Communes, round the provinces in turn, each plan carrying out its province's.
        let mut turn = 0usize;
        while remaining > 0 && !plans.is_empty() {
            let (p, parent, parent_on) = plans[turn % plans.len()];
            let communes = &self.apparatus.provinces[p].communes;
            let commune = communes[(turn / plans.len()) % communes.len()];
            turn += 1;
            let n = remaining.min(self.rng.random_range(8..=16));
            remaining -= n;
            let on = plus(parent_on, self.rng.random_range(15..120)).min(reference);
            let level = Level::Commune { province: p, commune };
            let id = self.plan(level, topic, on, &[parent])?;
            documents.push((id, level, on, n));
        }
        // What no level took stays with the central document.
        documents[0].3 += remaining;
        self.flush_documents().await?;

        for (document, level, on, count) in documents {
            for code in 1..=count {
                self.task(document, level, &TOPICS[topic], on, code)?;
                if self.tasks.len() >= TASKS_PER_FLUSH {
                    self.flush_tasks().await?;
                }
            }
        }
        Ok(())
    }

    fn central_document(&mut self, index: usize, topic: usize, issued: NaiveDate) -> Result<DocumentId> {
        let t = &TOPICS[topic];
        let (politburo, government, prime_minister) =
            (self.apparatus.politburo, self.apparatus.government, self.apparatus.prime_minister);
        let (issuer, symbol, kind, name, name_en) = if index == 0 {
            (
                politburo,
                FLAGSHIP.to_owned(),
                DocumentKind::Conclusion,
                "Kết luận của Bộ Chính trị",
                "Politburo Conclusion",
            )
        } else {
            let (issuer, type_code, kind, name, name_en) = match index % 5 {
                0 => (politburo, "KL", DocumentKind::Conclusion, "Kết luận của Bộ Chính trị", "Politburo Conclusion"),
                1 => (politburo, "NQ", DocumentKind::Resolution, "Nghị quyết của Bộ Chính trị", "Politburo Resolution"),
                2 => (government, "NQ", DocumentKind::Resolution, "Nghị quyết của Chính phủ", "Government Resolution"),
                3 => (
                    prime_minister,
                    "CT",
                    DocumentKind::Directive,
                    "Chỉ thị của Thủ tướng Chính phủ",
                    "Prime Minister's Directive",
                ),
                _ => (
                    prime_minister,
                    "QĐ",
                    DocumentKind::Decision,
                    "Quyết định của Thủ tướng Chính phủ",
                    "Prime Minister's Decision",
                ),
            };
            let n = self.number(issuer, type_code, issued.year());
            let symbol = match issuer == politburo {
                true => format!("{n}-{type_code}/TW"),
                false => format!("{n}/{type_code}-{}", if issuer == government { "CP" } else { "TTg" }),
            };
            (issuer, symbol, kind, name, name_en)
        };
        let title = format!("{name} về {}", t.subject);
        let title_en = format!("{name_en} on {}", t.subject_en);
        self.document(issuer, &symbol, kind, issued, title, title_en, &[])
    }

    /// A plan carrying out `implements`, issued by the agency of `level`.
    fn plan(&mut self, level: Level, topic: usize, on: NaiveDate, implements: &[DocumentId]) -> Result<DocumentId> {
        let t = &TOPICS[topic];
        let a = &self.apparatus;
        let issuer = match level {
            Level::Central => a.politburo,
            Level::Ministry(m) => m,
            Level::Province(p) => a.provinces[p].committee,
            Level::Commune { commune, .. } => commune,
        };
        let suffix = match level {
            Level::Ministry(m) => a.agencies[m].code.clone(),
            _ => "UBND".to_owned(),
        };
        let n = self.number(issuer, "KH", on.year());
        let symbol = format!("{n}/KH-{suffix}");
        let title = format!("Kế hoạch thực hiện các nhiệm vụ về {} năm {}", t.short, on.year());
        let title_en = format!("Plan for {} in {}", t.subject_en, on.year());
        self.document(issuer, &symbol, DocumentKind::Plan, on, title, title_en, implements)
    }

    #[allow(clippy::too_many_arguments)]
    fn document(
        &mut self,
        issuer: usize,
        symbol: &str,
        kind: DocumentKind,
        issued_on: NaiveDate,
        title: String,
        title_en: String,
        implements: &[DocumentId],
    ) -> Result<DocumentId> {
        let symbol = DocumentSymbol::parse(symbol).map_err(|e| Error::internal(e.message()))?;
        let new = NewDocument {
            symbol,
            kind: Some(kind),
            issuer: self.agency_ids[issuer],
            issued_on,
            title,
            title_translations: Translations::with("titleEn", "en", Some(&title_en))?,
            summary: None,
            summary_translations: Translations::default(),
            horizon_year: Some(issued_on.year() + 5),
            status: DocumentStatus::InForce,
            source_url: None,
            implements: implements.to_vec(),
        };
        let id = DocumentId(self.uuid());
        self.documents.push(document_model(id, &new, Self::recorded(issued_on)));
        for to in implements {
            let link = document_relation::Model {
                id: self.uuid(),
                from_id: id.0,
                to_id: to.0,
                kind: RelationKind::Implements,
                created_at: Self::recorded(issued_on),
            };
            self.links.push(link);
        }
        Ok(id)
    }

    /// Writes the documents held so far, with their links.
    async fn flush_documents(&mut self) -> Result<()> {
        let (documents, links) = (std::mem::take(&mut self.documents), std::mem::take(&mut self.links));
        self.tx.insert_new::<document::Entity>(&documents).await?;
        self.tx.insert_new::<document_relation::Entity>(&links).await?;
        self.generated.documents += documents.len();
        self.tx.write_records().await?;
        Ok(())
    }

    /// Who presides over and who coordinates a task at this level.
    fn responsible(&mut self, level: Level) -> (usize, Vec<usize>) {
        let a = &self.apparatus;
        let rng = &mut self.rng;
        let others = |pool: &[usize], lead: usize, n: usize, rng: &mut ChaCha8Rng| -> Vec<usize> {
            let mut picked: Vec<usize> = pool.choose_multiple(rng, n + 1).copied().filter(|c| *c != lead).collect();
            picked.truncate(n);
            picked
        };
        match level {
            Level::Central => {
                let lead = *a.ministries.choose(rng).unwrap_or(&a.government);
                let n = rng.random_range(1..=3);
                (lead, others(&a.ministries, lead, n, rng))
            }
            Level::Ministry(m) => {
                let n = rng.random_range(0..=2);
                (m, others(&a.ministries, m, n, rng))
            }
            Level::Province(p) => {
                let departments = &a.provinces[p].departments;
                let lead = *departments.choose(rng).unwrap_or(&a.provinces[p].committee);
                let n = rng.random_range(0..=3);
                let mut coordinators = others(departments, lead, n, rng);
                if rng.random_bool(0.3) {
                    coordinators.extend(a.provinces[p].communes.choose(rng));
                }
                (lead, coordinators)
            }
            Level::Commune { province, commune } => {
                let n = rng.random_range(0..=2);
                (commune, others(&a.provinces[province].departments, commune, n, rng))
            }
        }
    }

    /// One task with its assignments and reports, held until the next flush.
    fn task(&mut self, document: DocumentId, level: Level, topic: &Topic, on: NaiveDate, code: usize) -> Result<()> {
        let reference = reference_day();
        let place = match level {
            Level::Central => "trong phạm vi cả nước".to_owned(),
            Level::Ministry(m) => format!("của {}", self.apparatus.agencies[m].name),
            Level::Province(p) => format!("trên địa bàn {}", self.apparatus.provinces[p].name),
            Level::Commune { commune, .. } => {
                format!("tại {}", self.apparatus.agencies[commune].name.trim_start_matches("Ủy ban nhân dân "))
            }
        };
        let content = words::task_content(&mut self.rng, topic, &place);
        let deadline = self.deadline(on);
        let (lead, coordinators) = self.responsible(level);
        let new = NewTask {
            document,
            group: None,
            parent: None,
            code: code.to_string(),
            title: None,
            title_translations: Translations::default(),
            content,
            content_translations: Translations::default(),
            expected_output: Some(words::expected_output(&mut self.rng)),
            deadline,
            lead: self.agency_ids[lead],
            coordinators: coordinators.iter().map(|c| self.agency_ids[*c]).collect(),
            assigned_on: Some(on),
        };
        let id = TaskId(self.uuid());
        let mut row = task_model(id, &new, Self::recorded(on));
        let (state, completed_on) = self.state(deadline, on, reference);
        row.progress_state = state;
        row.completed_on = completed_on;
        if state != ProgressState::NotStarted {
            row.version = 2;
            row.updated_at = Self::recorded(completed_on.unwrap_or(on));
        }
        let roles = std::iter::once((lead, AssignmentRole::Presiding))
            .chain(coordinators.iter().map(|c| (*c, AssignmentRole::Coordinating)));
        for (agency, role) in roles {
            let new = NewAssignment {
                task: id,
                agency: self.agency_ids[agency],
                role,
                assigned_on: on,
                reason: None,
                event: None,
            };
            let assignment = assignment_model(AssignmentId(self.uuid()), new, Self::recorded(on));
            self.assignments.push(assignment);
        }
        if matches!(state, ProgressState::InProgress | ProgressState::Completed) {
            let agency = self.agency_ids[lead];
            self.reports_of(id, agency, deadline, on, completed_on);
        }
        self.tasks.push(row);
        Ok(())
    }

    /// DATE 45 %, YEAR 20 %, regular 25 %, recurring 10 %.
    fn deadline(&mut self, on: NaiveDate) -> Deadline {
        let r: f64 = self.rng.random();
        if r < 0.45 {
            Deadline::Date(plus(on, self.rng.random_range(30..1_000)))
        } else if r < 0.65 {
            Deadline::Year(on.year() + self.rng.random_range(0..=3))
        } else if r < 0.90 {
            Deadline::None
        } else {
            let recurrence = match self.rng.random_range(0..10) {
                0..5 => Recurrence::Quarterly,
                5..8 => Recurrence::Yearly,
                8 => Recurrence::Monthly,
                _ => Recurrence::Semiannual,
            };
            Deadline::Recurring(recurrence)
        }
    }

    /// A state as the Government Office's statistics have them: most done on time, some late, a
    /// few overdue, the rest under way.
    fn state(&mut self, deadline: Deadline, on: NaiveDate, reference: NaiveDate) -> (ProgressState, Option<NaiveDate>) {
        let u: f64 = self.rng.random();
        let within = |rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate| -> NaiveDate {
            let span = (to - from).num_days().max(0) as u64;
            plus(from, rng.random_range(0..=span))
        };
        match (deadline, deadline.due_on()) {
            (Deadline::Recurring(_), _) => match u < 0.95 {
                true => (ProgressState::InProgress, None),
                false => (ProgressState::Cancelled, None),
            },
            (_, Some(due)) if due < reference => {
                if u < 0.68 {
                    (ProgressState::Completed, Some(within(&mut self.rng, on, due)))
                } else if u < 0.84 {
                    let late = plus(due, 1).min(reference);
                    let until = plus(due, 240).min(reference);
                    (ProgressState::Completed, Some(within(&mut self.rng, late, until)))
                } else if u < 0.98 {
                    (ProgressState::InProgress, None)
                } else {
                    (ProgressState::Cancelled, None)
                }
            }
            (_, Some(_)) => {
                if u < 0.25 {
                    (ProgressState::Completed, Some(within(&mut self.rng, on, reference)))
                } else if u < 0.92 {
                    (ProgressState::InProgress, None)
                } else {
                    (ProgressState::NotStarted, None)
                }
            }
            (_, None) => {
                if u < 0.3 {
                    (ProgressState::Completed, Some(within(&mut self.rng, on, reference)))
                } else if u < 0.93 {
                    (ProgressState::InProgress, None)
                } else if u < 0.97 {
                    (ProgressState::NotStarted, None)
                } else {
                    (ProgressState::Cancelled, None)
                }
            }
        }
    }

    /// Quarterly reports by the presiding agency on the last quarters it worked on the task: up to
    /// three, or up to eight, with one in five missed, for a task due every quarter.
    fn reports_of(
        &mut self,
        task: TaskId,
        agency: AgencyId,
        deadline: Deadline,
        from: NaiveDate,
        completed_on: Option<NaiveDate>,
    ) {
        let until = completed_on.unwrap_or_else(reference_day);
        let mut quarters = Vec::new();
        let mut start = quarter_start(from);
        if start < from {
            start = next_quarter(start);
        }
        while next_quarter(start) <= plus(until, 1) {
            quarters.push(start);
            start = next_quarter(start);
        }
        let quarterly = deadline == Deadline::Recurring(Recurrence::Quarterly);
        let keep = if quarterly { 8 } else { self.rng.random_range(1..=3) };
        let first = quarters.len().saturating_sub(keep);
        let kept: Vec<NaiveDate> = quarters[first..].to_vec();
        let count = kept.len();
        for (i, start) in kept.into_iter().enumerate() {
            if quarterly && self.rng.random_bool(0.2) {
                continue;
            }
            let end = next_quarter(start).pred_opt().unwrap_or(start);
            let done = completed_on.is_some() && i + 1 == count;
            let percent = if quarterly || done { 100 } else { ((i + 1) * 90 / count.max(1)) as i32 };
            let new = NewReport {
                task,
                agency,
                period_kind: PeriodKind::Quarterly,
                period_start: start,
                period_end: end,
                percent_complete: percent,
                narrative: words::progress_narrative(&mut self.rng),
            };
            let report = report_model(ReportId(self.uuid()), new, Self::recorded(plus(end, 5)));
            self.reports.push(report);
        }
    }

    /// Writes the tasks held so far, with their assignments and reports.
    async fn flush_tasks(&mut self) -> Result<()> {
        let (tasks, assignments, reports) =
            (std::mem::take(&mut self.tasks), std::mem::take(&mut self.assignments), std::mem::take(&mut self.reports));
        self.tx.insert_new::<task::Entity>(&tasks).await?;
        self.tx.insert_new::<task_assignment::Entity>(&assignments).await?;
        self.tx.insert_new::<progress_report::Entity>(&reports).await?;
        self.generated.tasks += tasks.len();
        self.generated.assignments += assignments.len();
        self.generated.reports += reports.len();
        self.tx.write_records().await?;
        Ok(())
    }
}

fn quarter_start(d: NaiveDate) -> NaiveDate {
    day(d.year(), (d.month0() / 3) * 3 + 1, 1)
}

fn next_quarter(start: NaiveDate) -> NaiveDate {
    match start.month() {
        10.. => day(start.year() + 1, 1, 1),
        m => day(start.year(), m + 3, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_add_up_and_the_flagship_holds_a_tenth() {
        for n in [1, 7, 1_000, 99_999, 1_000_000] {
            let b = cascade_budgets(n, &mut ChaCha8Rng::seed_from_u64(1));
            assert_eq!(b.iter().sum::<usize>(), n, "{n}");
            assert_eq!(b[0], (n / 10).max(1));
        }
        assert_eq!(cascade_budgets(1_000_000, &mut ChaCha8Rng::seed_from_u64(1)).len(), 40);
    }

    #[test]
    fn quarters_follow_each_other() {
        assert_eq!(quarter_start(day(2024, 5, 17)), day(2024, 4, 1));
        assert_eq!(next_quarter(day(2024, 10, 1)), day(2025, 1, 1));
        assert_eq!(next_quarter(day(2024, 7, 1)), day(2024, 10, 1));
    }
}
