//! Importing a plan's tasks into a document, all or nothing: every row is checked first (agencies
//! by code or by a name that matches exactly one agency, dates, deadlines, duplicate codes), and
//! only a file with no problem at all is written, through the same writes as `createTask`.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::{agency, task};
use unicode_normalization::UnicodeNormalization;

use super::FileFormat;
use super::columns::Column;
use super::sheet::{self, Cell, Field, Problem, Row};
use crate::domain::dates::{from_serial, parse_day};
use crate::domain::deadline::Deadline;
use crate::domain::i18n::Translations;
use crate::domain::text;
use crate::error::Result;
use crate::ids::{AgencyId, DocumentId, TaskGroupId};
use crate::store::{NewTask, NewTaskGroup, Tx};

/// The most tasks one file may hold.
pub const MAX_ROWS: usize = 2000;

/// A row that passed every check: the task it makes.
#[derive(Debug, Clone)]
pub struct PlannedTask {
    pub row: usize,
    pub code: String,
    pub group: Option<String>,
    pub title: Option<String>,
    pub content: String,
    pub content_en: Option<String>,
    pub expected_output: Option<String>,
    pub deadline: Deadline,
    pub lead: agency::Model,
    pub coordinators: Vec<agency::Model>,
    pub assigned_on: Option<NaiveDate>,
}

/// What a file makes: its tasks, and the task groups that do not exist yet (code, title).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub tasks: Vec<PlannedTask>,
    pub new_groups: Vec<(String, String)>,
}

pub enum Outcome {
    /// The plan, and the tasks written (none for a dry run).
    Accepted { plan: Plan, created: Vec<task::Model> },
    /// Every problem found; nothing was written.
    Refused(Vec<Problem>),
}

/// Checks the file against the document and, unless `dry_run`, writes its tasks in `tx`. The
/// caller has checked the right to edit the document, and commits.
pub async fn import_tasks(
    tx: &Tx,
    document: DocumentId,
    format: FileFormat,
    bytes: &[u8],
    dry_run: bool,
) -> Result<Outcome> {
    let doc = tx.existing_document(document, "documentId").await?;
    let rows = match sheet::read(format, bytes) {
        Ok(rows) => rows,
        Err(problems) => return Ok(Outcome::Refused(problems)),
    };
    if rows.is_empty() {
        return Ok(Outcome::Refused(vec![Problem::file("the file lists no task")]));
    }
    if rows.len() > MAX_ROWS {
        return Ok(Outcome::Refused(vec![Problem::file(format!(
            "the file lists {} tasks; one file holds at most {MAX_ROWS}: split it",
            rows.len()
        ))]));
    }
    let agencies = Agencies::new(tx.all_agencies().await?);
    let existing_codes: HashSet<String> = tx.task_codes_in(doc.id).await?.into_iter().collect();
    let groups: HashMap<String, TaskGroupId> =
        tx.task_groups_in(doc.id).await?.into_iter().map(|g| (g.code, TaskGroupId(g.id))).collect();

    let mut checker = Checker { agencies: &agencies, problems: Vec::new() };
    let mut plan = Plan::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let (code, task) = checker.row(row);
        // A code is checked for duplicates even on a row with other problems, so that one refusal lists them all.
        if let (Some(code), Some(field)) = (&code, row.get(Column::Code)) {
            if let Some(first) = seen.get(code) {
                checker.problems.push(Problem::at(row.number, field, format!("code {code} is also on row {first}")));
            } else if existing_codes.contains(code) {
                checker.problems.push(Problem::at(
                    row.number,
                    field,
                    format!("{} already has a task {code}", doc.symbol),
                ));
            }
            seen.entry(code.clone()).or_insert(row.number);
        }
        let Some(task) = task else { continue };
        if let Some(group) = &task.group
            && !groups.contains_key(group)
            && !plan.new_groups.iter().any(|(code, _)| code == group)
        {
            let title = match row.get(Column::GroupTitle) {
                Some(field) => checker.text(row, field).unwrap_or_default(),
                None => format!("Nhóm {group}"),
            };
            plan.new_groups.push((group.clone(), title));
        }
        plan.tasks.push(task);
    }
    if !checker.problems.is_empty() {
        return Ok(Outcome::Refused(checker.problems));
    }
    if dry_run {
        return Ok(Outcome::Accepted { plan, created: Vec::new() });
    }
    let mut group_ids = groups;
    for (code, title) in &plan.new_groups {
        let new =
            NewTaskGroup { document, code: code.clone(), title: title.clone(), translations: Translations::default() };
        group_ids.insert(code.clone(), TaskGroupId(tx.create_task_group(new).await?.id));
    }
    let mut created = Vec::with_capacity(plan.tasks.len());
    for t in &plan.tasks {
        let new = NewTask {
            document,
            group: t.group.as_ref().and_then(|g| group_ids.get(g).copied()),
            parent: None,
            code: t.code.clone(),
            title: t.title.clone(),
            title_translations: Translations::default(),
            content: t.content.clone(),
            content_translations: Translations::with("contentEn", "en", t.content_en.as_deref())?,
            expected_output: t.expected_output.clone(),
            deadline: t.deadline,
            lead: AgencyId(t.lead.id),
            coordinators: t.coordinators.iter().map(|a| AgencyId(a.id)).collect(),
            assigned_on: t.assigned_on,
        };
        created.push(tx.create_task(new).await?);
    }
    Ok(Outcome::Accepted { plan, created })
}

/// Agencies by code, and by Vietnamese and English name in any case.
struct Agencies {
    by_code: HashMap<String, agency::Model>,
    by_name: HashMap<String, Vec<agency::Model>>,
}

/// A name compared as people mean it: NFC, any case, spaces collapsed.
fn name_key(name: &str) -> String {
    name.nfc().collect::<String>().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Agencies {
    fn new(all: Vec<agency::Model>) -> Self {
        let mut by_name: HashMap<String, Vec<agency::Model>> = HashMap::new();
        for a in &all {
            let english = Translations::from_json(&a.name_i18n).get("en").map(name_key);
            for key in std::iter::once(name_key(&a.name)).chain(english) {
                let entry = by_name.entry(key).or_default();
                if !entry.iter().any(|x| x.id == a.id) {
                    entry.push(a.clone());
                }
            }
        }
        Self { by_code: all.into_iter().map(|a| (a.code.clone(), a)).collect(), by_name }
    }

    fn find(&self, reference: &str) -> std::result::Result<agency::Model, String> {
        let reference = reference.trim();
        if let Some(a) = self.by_code.get(reference) {
            return Ok(a.clone());
        }
        match self.by_name.get(&name_key(reference)).map(Vec::as_slice) {
            Some([one]) => Ok(one.clone()),
            Some(several) if !several.is_empty() => {
                let mut codes: Vec<&str> = several.iter().map(|a| a.code.as_str()).collect();
                codes.sort();
                Err(format!(
                    "\"{reference}\" is the name of {} agencies ({}): write the code",
                    codes.len(),
                    codes.join(", ")
                ))
            }
            _ => Err(format!("no agency has the code or the name \"{reference}\"")),
        }
    }
}

/// Checks rows one by one, keeping every problem.
struct Checker<'a> {
    agencies: &'a Agencies,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn note<T>(&mut self, row: &Row, field: &Field, checked: std::result::Result<T, String>) -> Option<T> {
        checked.map_err(|why| self.problems.push(Problem::at(row.number, field, why))).ok()
    }

    fn text(&mut self, row: &Row, field: &Field) -> Option<String> {
        let value = match &field.value {
            Cell::Text(t) => Ok(t.clone()),
            Cell::Number(n) if n.fract() == 0.0 => Ok(format!("{n:.0}")),
            Cell::Number(n) => Ok(n.to_string()),
            Cell::Day(d) => Ok(d.format("%d/%m/%Y").to_string()),
            Cell::List(_) => Err("write this as text, not a list".to_owned()),
            Cell::Empty => Ok(String::new()),
        };
        self.note(row, field, value)
    }

    fn required(&mut self, row: &Row, column: Column) -> Option<(String, &'static str)> {
        let Some(field) = row.get(column) else {
            let problem = match row.fields.iter().find(|f| f.column == column) {
                Some(empty) => Problem::at(row.number, empty, format!("{} is empty", empty.header)),
                None => Problem::in_row(row.number, Some(column.header()), format!("{} is missing", column.header())),
            };
            self.problems.push(problem);
            return None;
        };
        let field = field.clone();
        let text = self.text(row, &field)?;
        let checked = text::required(column.header(), &text).map_err(|e| e.message);
        self.note(row, &field, checked).map(|t| (t, column.header()))
    }

    fn optional(&mut self, row: &Row, column: Column) -> Option<String> {
        let field = row.get(column)?.clone();
        let text = self.text(row, &field)?;
        let checked = text::optional(column.header(), Some(&text)).map_err(|e| e.message);
        self.note(row, &field, checked).flatten()
    }

    fn agency(&mut self, row: &Row, field: &Field, reference: &str) -> Option<agency::Model> {
        let found = self.agencies.find(reference);
        self.note(row, field, found)
    }

    /// The row's code if it is one, and the task the row makes, or `None` with its problems noted.
    fn row(&mut self, row: &Row) -> (Option<String>, Option<PlannedTask>) {
        let before = self.problems.len();
        let code = self.required(row, Column::Code).and_then(|(code, _)| {
            let field = row.get(Column::Code)?.clone();
            let checked = text::local_code(Column::Code.header(), &code).map_err(|e| e.message);
            self.note(row, &field, checked)
        });
        let content = self.required(row, Column::Content).map(|(c, _)| c);
        let lead = self.required(row, Column::Lead).and_then(|(reference, _)| {
            let field = row.get(Column::Lead)?.clone();
            self.agency(row, &field, &reference)
        });
        let coordinators = self.coordinators(row, lead.as_ref());
        let deadline = match row.get(Column::Deadline).cloned() {
            Some(field) => {
                let checked = deadline_of(&field.value);
                self.note(row, &field, checked)
            }
            None => Some(Deadline::None),
        };
        let group = row.get(Column::Group).cloned().and_then(|field| {
            let text = self.text(row, &field)?;
            let checked = text::local_code(Column::Group.header(), &text).map_err(|e| e.message);
            self.note(row, &field, checked)
        });
        let assigned_on = row.get(Column::AssignedOn).cloned().and_then(|field| {
            let checked = day_of(&field.value);
            self.note(row, &field, checked)
        });
        let title = self.optional(row, Column::Title);
        let content_en = self.optional(row, Column::ContentEn);
        let expected_output = self.optional(row, Column::ExpectedOutput);
        if self.problems.len() > before {
            return (code, None);
        }
        let task = (|| {
            Some(PlannedTask {
                row: row.number,
                code: code.clone()?,
                group,
                title,
                content: content?,
                content_en,
                expected_output,
                deadline: deadline?,
                lead: lead?,
                coordinators: coordinators?,
                assigned_on,
            })
        })();
        (code, task)
    }

    fn coordinators(&mut self, row: &Row, lead: Option<&agency::Model>) -> Option<Vec<agency::Model>> {
        let Some(field) = row.get(Column::Coordinators).cloned() else { return Some(Vec::new()) };
        let references: Vec<String> = match &field.value {
            Cell::List(list) => list.clone(),
            // One agency a line, or separated by semicolons or commas.
            _ => self.text(row, &field)?.split([';', ',', '\n']).map(str::to_owned).collect(),
        };
        let mut found: Vec<agency::Model> = Vec::new();
        let before = self.problems.len();
        for reference in references.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
            let Some(a) = self.agency(row, &field, reference) else { continue };
            if lead.is_some_and(|l| l.id == a.id) {
                self.problems.push(Problem::at(
                    row.number,
                    &field,
                    format!("{} presides: it cannot also coordinate", a.code),
                ));
            } else if found.iter().any(|f| f.id == a.id) {
                self.problems.push(Problem::at(row.number, &field, format!("{} is listed twice", a.code)));
            } else {
                found.push(a);
            }
        }
        (self.problems.len() == before).then_some(found)
    }
}

/// A deadline cell: a date cell, a year, a spreadsheet serial, or words ([`Deadline::parse_text`]).
fn deadline_of(cell: &Cell) -> std::result::Result<Deadline, String> {
    match cell {
        Cell::Day(d) => Ok(Deadline::Date(*d)),
        Cell::Number(n) if n.fract() == 0.0 && (1945.0..=2100.0).contains(n) => Ok(Deadline::Year(*n as i32)),
        Cell::Number(n) => {
            from_serial(*n).map(Deadline::Date).ok_or_else(|| format!("{n} is neither a year nor a date"))
        }
        Cell::Text(t) => Deadline::parse_text(t),
        Cell::List(_) => Err("a deadline is one date, year or recurrence, not a list".to_owned()),
        Cell::Empty => Ok(Deadline::None),
    }
}

fn day_of(cell: &Cell) -> std::result::Result<NaiveDate, String> {
    match cell {
        Cell::Day(d) => Ok(*d),
        Cell::Number(n) => from_serial(*n).ok_or_else(|| format!("{n} is not a date")),
        Cell::Text(t) => parse_day(t),
        Cell::List(_) | Cell::Empty => Err("write a date such as 15/6/2026".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_cells() {
        let day = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        assert_eq!(deadline_of(&Cell::Day(day)), Ok(Deadline::Date(day)));
        assert_eq!(deadline_of(&Cell::Number(2026.0)), Ok(Deadline::Year(2026)));
        // A date cell that lost its format keeps its serial number.
        assert_eq!(deadline_of(&Cell::Number(46203.0)), Ok(Deadline::Date(day)));
        assert_eq!(deadline_of(&Cell::Text("ngày 30 tháng 6 năm 2026".into())), Ok(Deadline::Date(day)));
        assert!(deadline_of(&Cell::Number(-3.0)).is_err());
    }

    #[test]
    fn names_compare_as_people_mean_them() {
        assert_eq!(name_key("  Sở   Ngoại vụ "), name_key("sở ngoại vụ"));
        assert_eq!(name_key("So\u{31b}\u{309} Ngoa\u{323}i vu\u{323}"), name_key("Sở Ngoại vụ"));
    }
}
