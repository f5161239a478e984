//! A cascade written out: JSON for other services (a hierarchy file that loads into an empty
//! service with the same result), CSV of its tasks, and an XLSX workbook for people (see
//! [`super::workbook`]).

use chrono::NaiveDate;
use entity::sea_orm_active_enums::{ProgressState, RelationKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::FileFormat;
use super::cascade::{Cascade, CascadeTask};
use super::columns::Column;
use super::sheet::Cell;
use crate::domain::dates::format_day;
use crate::domain::deadline::Deadline;
use crate::domain::i18n::Translations;
use crate::domain::status::TaskStatus;
use crate::error::{Error, Result};
use crate::seed::{
    AgencyEntry, AssignmentEntry, DocumentEntry, GroupEntry, Hierarchy, RelationEntry, ReportEntry, TaskEntry,
};
use crate::store::StatusCounts;

/// What the `format` field of an exported cascade says.
pub const CASCADE_FORMAT: &str = "directives-cascade";

/// An exported cascade: a hierarchy file with what it was exported as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CascadeFile {
    pub format: String,
    pub version: u32,
    /// The document whose cascade this is.
    pub root: DocumentKey,
    /// The day the tasks' `status` is taken on.
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub hierarchy: Hierarchy,
}

/// A document as people name it: issuer, symbol and date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentKey {
    pub symbol: String,
    /// The issuer's code.
    pub issuer: String,
    pub issued_on: NaiveDate,
}

fn english(translations: &serde_json::Value) -> Option<String> {
    Translations::from_json(translations).get("en").map(str::to_owned)
}

impl Cascade {
    fn code_of(&self, agency: Uuid) -> String {
        self.agency(agency).map(|a| a.code.clone()).unwrap_or_default()
    }

    fn reference(&self, document: Uuid) -> Option<RelationEntry> {
        let d = self.document(document)?;
        Some(RelationEntry {
            kind: RelationKind::Implements,
            to_symbol: d.symbol.clone(),
            to_issuer: self.code_of(d.issuer_id),
            to_year: Some(d.issued_year),
        })
    }

    fn group_code(&self, document: Uuid, group: Option<Uuid>) -> Option<&entity::task_group::Model> {
        let group = group?;
        self.groups.get(&document)?.iter().find(|g| g.id == group)
    }

    fn task_entry(&self, t: &CascadeTask) -> TaskEntry {
        let m = &t.model;
        let parent = m.parent_id.and_then(|p| self.tasks_of(m.document_id).iter().find(|x| x.model.id == p));
        TaskEntry {
            code: m.code.clone(),
            group: self.group_code(m.document_id, m.group_id).map(|g| g.code.clone()),
            parent: parent.map(|p| p.model.code.clone()),
            title: m.title.clone(),
            title_en: english(&m.title_i18n),
            content: m.content.clone(),
            content_en: english(&m.content_i18n),
            expected_output: m.expected_output.clone(),
            deadline: t.deadline().into(),
            lead: self.code_of(t.lead),
            coordinators: t.coordinators.iter().map(|c| self.code_of(*c)).collect(),
            assigned_on: Some(t.assigned_on),
            progress_state: m.progress_state,
            completed_on: m.completed_on,
            status: Some(t.status),
            assignments: match t.assignments.iter().any(|a| a.ended_on.is_some()) {
                true => t
                    .assignments
                    .iter()
                    .map(|a| AssignmentEntry {
                        agency: self.code_of(a.agency_id),
                        role: a.role,
                        assigned_on: a.assigned_on,
                        ended_on: a.ended_on,
                        reason: a.reason.clone(),
                    })
                    .collect(),
                false => Vec::new(),
            },
            reports: t
                .reports
                .iter()
                .map(|r| ReportEntry {
                    agency: self.code_of(r.agency_id),
                    period_kind: r.period_kind,
                    period_start: r.period_start,
                    period_end: r.period_end,
                    percent_complete: r.percent_complete,
                    narrative: r.narrative.clone(),
                })
                .collect(),
        }
    }

    /// The cascade as a hierarchy file.
    pub fn to_file(&self) -> CascadeFile {
        let agencies = self
            .agencies
            .iter()
            .map(|a| AgencyEntry {
                code: a.code.clone(),
                name: a.name.clone(),
                name_en: english(&a.name_i18n),
                kind: a.kind,
                level: a.level,
                parent: a.parent_id.map(|p| self.code_of(p)),
            })
            .collect();
        let documents = self
            .documents
            .iter()
            .map(|cd| {
                let d = &cd.model;
                DocumentEntry {
                    symbol: d.symbol.clone(),
                    issuer: self.code_of(d.issuer_id),
                    issued_on: d.issued_on,
                    kind: Some(d.kind),
                    title: d.title.clone(),
                    title_en: english(&d.title_i18n),
                    summary: d.summary.clone(),
                    summary_en: english(&d.summary_i18n),
                    horizon_year: d.horizon_year,
                    status: d.status,
                    source_url: d.source_url.clone(),
                    relations: cd.implements.iter().filter_map(|t| self.reference(*t)).collect(),
                    task_groups: self
                        .groups
                        .get(&d.id)
                        .into_iter()
                        .flatten()
                        .map(|g| GroupEntry {
                            code: g.code.clone(),
                            title: g.title.clone(),
                            title_en: english(&g.title_i18n),
                        })
                        .collect(),
                    tasks: self.tasks_of(d.id).iter().map(|t| self.task_entry(t)).collect(),
                }
            })
            .collect();
        CascadeFile {
            format: CASCADE_FORMAT.to_owned(),
            version: 1,
            root: DocumentKey {
                symbol: self.root().symbol.clone(),
                issuer: self.code_of(self.root().issuer_id),
                issued_on: self.root().issued_on,
            },
            as_of: self.as_of,
            hierarchy: Hierarchy { agencies, documents, events: Vec::new() },
        }
    }

    /// The cascade as a file of `format`.
    pub fn write(&self, format: FileFormat) -> Result<Vec<u8>> {
        match format {
            FileFormat::Json => self.to_json(),
            FileFormat::Csv => self.to_csv(),
            FileFormat::Xlsx => self.to_xlsx(),
        }
    }

    pub fn to_json(&self) -> Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(&self.to_file()).map_err(Error::internal)?;
        out.push(b'\n');
        Ok(out)
    }

    /// The headers of the task table: the columns the import reads back, then the status.
    pub fn task_headers(&self) -> Vec<String> {
        let c = |c: Column| c.header().to_owned();
        vec![
            "Văn bản".to_owned(),
            c(Column::Code),
            c(Column::Group),
            c(Column::GroupTitle),
            c(Column::Title),
            c(Column::Content),
            c(Column::ContentEn),
            c(Column::Lead),
            "Tên cơ quan chủ trì".to_owned(),
            c(Column::Coordinators),
            c(Column::Deadline),
            c(Column::ExpectedOutput),
            c(Column::AssignedOn),
            "Tiến độ".to_owned(),
            "Ngày hoàn thành".to_owned(),
            format!("Tình trạng ngày {}", format_day(self.as_of)),
        ]
    }

    /// One row per task of the cascade, under [`Cascade::task_headers`]. Date deadlines are days
    /// and year deadlines numbers, so that a spreadsheet sorts them.
    pub fn task_table(&self) -> Vec<Vec<Cell>> {
        let text = |s: Option<&str>| s.map_or(Cell::Empty, |s| Cell::Text(s.to_owned()));
        let mut rows = Vec::new();
        for cd in &self.documents {
            for t in self.tasks_of(cd.model.id) {
                let e = self.task_entry(t);
                let group = self.group_code(cd.model.id, t.model.group_id);
                let deadline = match t.deadline() {
                    Deadline::Date(day) => Cell::Day(day),
                    Deadline::Year(year) => Cell::Number(year.into()),
                    other => Cell::Text(other.to_text()),
                };
                rows.push(vec![
                    Cell::Text(cd.model.symbol.clone()),
                    Cell::Text(e.code),
                    text(group.map(|g| g.code.as_str())),
                    text(group.map(|g| g.title.as_str())),
                    text(e.title.as_deref()),
                    Cell::Text(e.content),
                    text(e.content_en.as_deref()),
                    Cell::Text(e.lead),
                    text(self.agency(t.lead).map(|a| a.name.as_str())),
                    Cell::Text(e.coordinators.join("; ")),
                    deadline,
                    text(e.expected_output.as_deref()),
                    Cell::Day(t.assigned_on),
                    Cell::Text(progress_label(t.model.progress_state).to_owned()),
                    t.model.completed_on.map_or(Cell::Empty, Cell::Day),
                    Cell::Text(status_label(t.status).to_owned()),
                ]);
            }
        }
        rows
    }

    /// The task table as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the marks).
    pub fn to_csv(&self) -> Result<Vec<u8>> {
        let mut writer = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
        writer.write_record(self.task_headers()).map_err(Error::internal)?;
        for row in self.task_table() {
            writer.write_record(row.iter().map(cell_text)).map_err(Error::internal)?;
        }
        writer.into_inner().map_err(Error::internal)
    }
}

/// A cell as text: days day first.
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => t.clone(),
        Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
        Cell::Number(n) => n.to_string(),
        Cell::Day(d) => format_day(*d),
        Cell::List(items) => items.join("; "),
    }
}

/// Of the tasks that can be finished (not regular, not cancelled), the share finished on the day.
pub fn completion(counts: &StatusCounts) -> Option<f64> {
    let done = counts.get(TaskStatus::CompletedOnTime) + counts.get(TaskStatus::CompletedLate);
    let finishable = counts.total() - counts.get(TaskStatus::Ongoing) - counts.get(TaskStatus::Cancelled);
    (finishable > 0).then(|| done as f64 / finishable as f64)
}

/// The Government Office's words for a status.
pub fn status_label(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::CompletedOnTime => "Hoàn thành đúng hạn",
        TaskStatus::CompletedLate => "Hoàn thành quá hạn",
        TaskStatus::InProgressOnTime => "Đang thực hiện, trong hạn",
        TaskStatus::InProgressOverdue => "Đang thực hiện, quá hạn",
        TaskStatus::Ongoing => "Thường xuyên",
        TaskStatus::Cancelled => "Đã hủy",
    }
}

pub fn progress_label(state: ProgressState) -> &'static str {
    match state {
        ProgressState::NotStarted => "Chưa thực hiện",
        ProgressState::InProgress => "Đang thực hiện",
        ProgressState::Completed => "Đã hoàn thành",
        ProgressState::Cancelled => "Đã hủy",
    }
}
