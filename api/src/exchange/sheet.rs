//! Reading a plan's task list from XLSX, CSV or JSON into rows of cells, each cell with the header
//! and the place (`D7`) that a problem about it names. Spreadsheets often open with a title: the
//! header row is the first of the first rows that names the required columns.

use std::io::Cursor;

use calamine::{Data, Reader};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use super::FileFormat;
use super::columns::{Column, letter};

/// How far down a sheet the header row is looked for.
const HEADER_SEARCH_ROWS: usize = 20;

/// A cell's value as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A cell the spreadsheet stores as a date.
    Day(NaiveDate),
    /// A JSON list (of coordinating agencies).
    List(Vec<String>),
}

/// One filled cell of a recognised column.
#[derive(Debug, Clone)]
pub struct Field {
    pub column: Column,
    /// The header as the file writes it.
    pub header: String,
    /// Where it is in a spreadsheet: `D7`.
    pub cell: Option<String>,
    pub value: Cell,
}

/// A row of the task list: its number as the file's reader sees it (the spreadsheet row, or the
/// position in a JSON list, from 1).
#[derive(Debug, Clone)]
pub struct Row {
    pub number: usize,
    pub fields: Vec<Field>,
}

impl Row {
    pub fn get(&self, column: Column) -> Option<&Field> {
        self.fields.iter().find(|f| f.column == column && f.value != Cell::Empty)
    }
}

/// What is wrong with a file, where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The row (none for a problem with the whole file).
    pub row: Option<usize>,
    /// The column's header as the file writes it.
    pub column: Option<String>,
    /// The spreadsheet cell, such as `D7`.
    pub cell: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn file(message: impl Into<String>) -> Self {
        Self { row: None, column: None, cell: None, message: message.into() }
    }

    pub fn at(row: usize, field: &Field, message: impl Into<String>) -> Self {
        Self { row: Some(row), column: Some(field.header.clone()), cell: field.cell.clone(), message: message.into() }
    }

    /// A problem with a row's column, or with the row when the column is absent.
    pub fn in_row(row: usize, column: Option<&str>, message: impl Into<String>) -> Self {
        Self { row: Some(row), column: column.map(str::to_owned), cell: None, message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, &self.column, &self.cell) {
            (Some(row), Some(column), Some(cell)) => write!(f, "row {row}, {column} ({cell}): {}", self.message),
            (Some(row), Some(column), None) => write!(f, "row {row}, {column}: {}", self.message),
            (Some(row), None, _) => write!(f, "row {row}: {}", self.message),
            (None, _, _) => f.write_str(&self.message),
        }
    }
}

/// The rows of the file's task list, or why it has none.
pub fn read(format: FileFormat, bytes: &[u8]) -> Result<Vec<Row>, Vec<Problem>> {
    match format {
        FileFormat::Xlsx => read_workbook(bytes),
        FileFormat::Csv => read_csv(bytes),
        FileFormat::Json => read_json(bytes),
    }
}

/// The header that names no required column, for the refusal of a sheet without a header row.
fn missing_header_problem(what: &str) -> Problem {
    let wanted: Vec<String> = Column::REQUIRED.iter().map(|c| format!("{} ({})", c.header(), c.headers()[1])).collect();
    Problem::file(format!("{what} has no header row naming the columns {}: put one above the tasks", wanted.join(", ")))
}

/// Rows of a grid of cells: the header row found, then every row below it that holds anything.
fn rows_of_grid(grid: Vec<Vec<Cell>>, first_row: usize, first_col: usize) -> Option<Vec<Row>> {
    let header_at = grid.iter().take(HEADER_SEARCH_ROWS).position(|cells| {
        let named: Vec<Column> = cells.iter().filter_map(|c| text_of(c).and_then(|t| Column::named(&t))).collect();
        Column::REQUIRED.iter().all(|c| named.contains(c))
    })?;
    let headers: Vec<Option<(Column, String)>> = grid[header_at]
        .iter()
        .map(|c| text_of(c).and_then(|t| Column::named(&t).map(|col| (col, t.trim().to_owned()))))
        .collect();
    let mut rows = Vec::new();
    for (i, cells) in grid.into_iter().enumerate().skip(header_at + 1) {
        let number = first_row + i + 1;
        let fields: Vec<Field> = cells
            .into_iter()
            .enumerate()
            .filter_map(|(j, value)| {
                let (column, header) = headers.get(j)?.clone()?;
                Some(Field { column, header, cell: Some(format!("{}{number}", letter(first_col + j))), value })
            })
            .collect();
        if fields.iter().any(|f| f.value != Cell::Empty) {
            rows.push(Row { number, fields });
        }
    }
    Some(rows)
}

fn text_of(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Text(t) => Some(t.clone()),
        _ => None,
    }
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Row>, Vec<Problem>> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| {
        vec![Problem::file("the file is not a readable XLSX workbook: save it from the spreadsheet program as .xlsx")]
    })?;
    for name in workbook.sheet_names() {
        let Ok(range) = workbook.worksheet_range(&name) else { continue };
        let (first_row, first_col) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
        let grid: Vec<Vec<Cell>> = range.rows().map(|row| row.iter().map(cell_of).collect()).collect();
        if let Some(rows) = rows_of_grid(grid, first_row, first_col) {
            return Ok(rows);
        }
    }
    Err(vec![missing_header_problem("no sheet of the workbook")])
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(y.into(), m.into(), d.into()).map_or(Cell::Text(dt.as_f64().to_string()), Cell::Day)
        }
        Data::DateTime(dt) => Cell::Text(dt.as_f64().to_string()),
        // ISO text: the day is its first ten characters.
        Data::DateTimeIso(s) => Cell::Text(s.chars().take(10).collect()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Row>, Vec<Problem>> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        vec![Problem::file("the file is not UTF-8 text: save it from the spreadsheet program as \"CSV UTF-8\"")]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Spreadsheet programs set to Vietnamese write `;` between cells, since `,` is their decimal mark.
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!(" at line {}", p.line()));
            vec![Problem::file(format!("the file is not readable CSV{line}: check its quotes"))]
        })?;
        grid.push(
            record.iter().map(|v| if v.trim().is_empty() { Cell::Empty } else { Cell::Text(v.to_owned()) }).collect(),
        );
    }
    rows_of_grid(grid, 0, 0).ok_or_else(|| vec![missing_header_problem("the file")])
}

fn read_json(bytes: &[u8]) -> Result<Vec<Row>, Vec<Problem>> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| vec![Problem::file(format!("the file is not valid JSON: {e}"))])?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut object) => {
            if object.contains_key("documents") && object.contains_key("agencies") {
                return Err(vec![Problem::file(
                    "the file is a hierarchy file (an exported cascade), not a task list: load it with \
                     `directives import FILE` without --document",
                )]);
            }
            match object.remove("tasks") {
                Some(Value::Array(items)) => items,
                _ => {
                    return Err(vec![Problem::file(
                        "a JSON task list is a list of tasks, or an object with a list `tasks`",
                    )]);
                }
            }
        }
        _ => return Err(vec![Problem::file("a JSON task list is a list of tasks, or an object with a list `tasks`")]),
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let number = i + 1;
        let Value::Object(object) = item else {
            problems.push(Problem::in_row(number, None, "each task is an object such as {\"code\": \"1\", …}"));
            continue;
        };
        let mut fields = Vec::new();
        for (key, value) in object {
            let Some(column) = Column::named(&key) else { continue };
            let value = match value {
                Value::Null => Cell::Empty,
                Value::String(s) if s.trim().is_empty() => Cell::Empty,
                Value::String(s) => Cell::Text(s),
                Value::Number(n) => n.as_f64().map_or(Cell::Empty, Cell::Number),
                Value::Bool(b) => Cell::Text(b.to_string()),
                Value::Array(list) => match list.into_iter().map(|v| v.as_str().map(str::to_owned)).collect() {
                    Some(list) => Cell::List(list),
                    None => {
                        problems.push(Problem::in_row(number, Some(&key), "a list here holds only text"));
                        continue;
                    }
                },
                Value::Object(_) => {
                    problems.push(Problem::in_row(number, Some(&key), "write this as text, such as 30/6/2025"));
                    continue;
                }
            };
            fields.push(Field { column, header: key, cell: None, value });
        }
        rows.push(Row { number, fields });
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_a_title_and_semicolons() {
        let csv = "KẾ HOẠCH THÔNG TIN ĐỐI NGOẠI;;;\n;;;\nSTT;Nội dung;Chủ trì;Thời hạn\n1;Tuyên truyền;HY-STTTT;15/6/2026\n;;;\n2;Đấu tranh;HY-SNV;\n";
        let rows = read(FileFormat::Csv, csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].number, 4);
        let lead = rows[0].get(Column::Lead).unwrap();
        assert_eq!(lead.header, "Chủ trì");
        assert_eq!(lead.cell.as_deref(), Some("C4"));
        assert_eq!(rows[1].number, 6);
        assert!(rows[1].get(Column::Deadline).is_none());
    }

    #[test]
    fn files_without_a_header_row_are_refused() {
        let problems = read(FileFormat::Csv, b"a,b,c\n1,2,3\n").unwrap_err();
        assert!(problems[0].message.contains("no header row"), "{problems:?}");
        let problems = read(FileFormat::Xlsx, b"not a workbook").unwrap_err();
        assert!(problems[0].message.contains("XLSX"));
        let problems = read(FileFormat::Csv, &[0xff, 0xfe, 0x41]).unwrap_err();
        assert!(problems[0].message.contains("UTF-8"));
    }

    #[test]
    fn json_lists_and_objects() {
        let json = r#"{"tasks": [{"code": "1", "content": "A", "lead": "BTTTT", "coordinators": ["BNG", "BCA"], "deadline": 2026, "note": "x"}]}"#;
        let rows = read(FileFormat::Json, json.as_bytes()).unwrap();
        assert_eq!(rows[0].number, 1);
        assert_eq!(rows[0].get(Column::Coordinators).unwrap().value, Cell::List(vec!["BNG".into(), "BCA".into()]));
        assert_eq!(rows[0].get(Column::Deadline).unwrap().value, Cell::Number(2026.0));
        let problems = read(FileFormat::Json, br#"{"agencies": [], "documents": []}"#).unwrap_err();
        assert!(problems[0].message.contains("directives import FILE"));
    }
}
