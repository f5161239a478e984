//! The cascade as an XLSX workbook for people, formatted for printing: a sheet of documents, one
//! of tasks with their status on the day (which the import reads back), and a per-agency summary.
//! Each sheet has a title, a header row repeated on every printed page, A4 landscape one page wide.

use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::cascade::Cascade;
use super::export::{completion, status_label};
use super::sheet::Cell;
use crate::domain::dates::format_day;
use crate::domain::status::TaskStatus;
use crate::error::{Error, Result};

/// Rows above the header: the title, the day, a blank row.
const HEADER_ROW: u32 = 3;
const A4: u8 = 9;

struct Styles {
    title: Format,
    header: Format,
    text: Format,
    day: Format,
    number: Format,
    percent: Format,
}

impl Styles {
    fn new() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Top);
        Self {
            title: Format::new().set_bold().set_font_size(14),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xDDE7F3))
                .set_align(FormatAlign::Center),
            text: cell.clone().set_text_wrap(),
            day: cell.clone().set_num_format("dd/mm/yyyy"),
            number: cell.clone(),
            percent: cell.set_num_format("0%"),
        }
    }
}

fn xlsx(err: XlsxError) -> Error {
    Error::internal(format!("writing the workbook: {err}"))
}

/// A table's headers, with each column's width in characters, and the columns that hold shares of 1.
struct Layout<'a> {
    title: String,
    headers: Vec<String>,
    widths: &'a [f64],
    percent: &'a [usize],
}

/// Writes a titled, printable table.
fn table(
    sheet: &mut Worksheet,
    styles: &Styles,
    subtitle: &str,
    layout: Layout<'_>,
    rows: &[Vec<Cell>],
) -> std::result::Result<(), XlsxError> {
    let Layout { title, headers, widths, percent } = layout;
    let title = title.as_str();
    sheet.write_string_with_format(0, 0, title, &styles.title)?;
    sheet.write_string(1, 0, subtitle)?;
    for (c, (header, width)) in headers.iter().zip(widths).enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(HEADER_ROW, c, header, &styles.header)?;
        sheet.set_column_width(c, *width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Empty => sheet.write_blank(r, c, &styles.text)?,
                Cell::Text(t) => sheet.write_string_with_format(r, c, t, &styles.text)?,
                Cell::Number(n) => {
                    let format = if percent.contains(&(c as usize)) { &styles.percent } else { &styles.number };
                    sheet.write_number_with_format(r, c, *n, format)?
                }
                Cell::Day(d) => {
                    let day = ExcelDateTime::parse_from_str(&d.format("%Y-%m-%d").to_string())?;
                    sheet.write_datetime_with_format(r, c, &day, &styles.day)?
                }
                Cell::List(items) => sheet.write_string_with_format(r, c, items.join("; "), &styles.text)?,
            };
        }
    }
    let last_col = headers.len().saturating_sub(1) as u16;
    let last_row = HEADER_ROW + rows.len() as u32;
    sheet.autofilter(HEADER_ROW, 0, last_row, last_col)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.set_landscape().set_paper_size(A4).set_print_fit_to_pages(1, 0).set_print_center_horizontally(true);
    sheet.set_header(format!("&L{}&R&D", title.replace('&', "&&")));
    sheet.set_footer("&CTrang &P / &N");
    Ok(())
}

/// A share of 1 as a percent cell, or empty.
fn share(value: Option<f64>) -> Cell {
    value.map_or(Cell::Empty, Cell::Number)
}

impl Cascade {
    pub fn to_xlsx(&self) -> Result<Vec<u8>> {
        self.write_workbook().map_err(xlsx)
    }

    fn write_workbook(&self) -> std::result::Result<Vec<u8>, XlsxError> {
        let styles = Styles::new();
        let root = &self.root().symbol;
        let subtitle = format!("Tình trạng ngày {} (status as of {})", format_day(self.as_of), self.as_of);
        let mut workbook = Workbook::new();

        let documents: Vec<Vec<Cell>> = self
            .documents
            .iter()
            .map(|cd| {
                let d = &cd.model;
                let counts = self.counts_of(d.id);
                let implements: Vec<&str> =
                    cd.implements.iter().filter_map(|id| self.document(*id)).map(|t| t.symbol.as_str()).collect();
                let issuer = self.agency(d.issuer_id);
                vec![
                    Cell::Text(d.symbol.clone()),
                    Cell::Text(issuer.map(|a| a.code.clone()).unwrap_or_default()),
                    Cell::Text(issuer.map(|a| a.name.clone()).unwrap_or_default()),
                    Cell::Day(d.issued_on),
                    Cell::Text(d.title.clone()),
                    Cell::Text(implements.join("; ")),
                    Cell::Number(cd.depth.into()),
                    Cell::Number(counts.total() as f64),
                    Cell::Number(
                        (counts.get(TaskStatus::CompletedOnTime) + counts.get(TaskStatus::CompletedLate)) as f64,
                    ),
                    Cell::Number(counts.get(TaskStatus::InProgressOverdue) as f64),
                    share(completion(&counts)),
                ]
            })
            .collect();
        let headers: Vec<String> = [
            "Số, ký hiệu",
            "Mã cơ quan ban hành",
            "Cơ quan ban hành",
            "Ngày ban hành",
            "Trích yếu",
            "Thực hiện văn bản",
            "Cấp",
            "Số nhiệm vụ",
            "Đã hoàn thành",
            "Quá hạn",
            "Tỷ lệ hoàn thành",
        ]
        .map(str::to_owned)
        .to_vec();
        let layout = Layout {
            title: format!("Văn bản thực hiện {root}"),
            headers,
            widths: &[16.0, 12.0, 28.0, 12.0, 50.0, 22.0, 6.0, 10.0, 10.0, 9.0, 11.0],
            percent: &[10],
        };
        table(workbook.add_worksheet().set_name("Văn bản")?, &styles, &subtitle, layout, &documents)?;

        let layout = Layout {
            title: format!("Nhiệm vụ thực hiện {root}"),
            headers: self.task_headers(),
            widths: &[14.0, 7.0, 7.0, 20.0, 20.0, 50.0, 30.0, 12.0, 24.0, 18.0, 12.0, 20.0, 12.0, 14.0, 12.0, 18.0],
            percent: &[],
        };
        table(workbook.add_worksheet().set_name("Nhiệm vụ")?, &styles, &subtitle, layout, &self.task_table())?;

        let statuses = TaskStatus::ALL;
        let mut headers: Vec<String> = vec!["Mã cơ quan".into(), "Cơ quan".into(), "Nhiệm vụ chủ trì".into()];
        headers.extend(statuses.iter().map(|s| status_label(*s).to_owned()));
        headers.push("Tỷ lệ đúng hạn".into());
        let summary: Vec<Vec<Cell>> = self
            .presiding
            .iter()
            .map(|(agency, counts)| {
                let a = self.agency(*agency);
                let mut row = vec![
                    Cell::Text(a.map(|a| a.code.clone()).unwrap_or_default()),
                    Cell::Text(a.map(|a| a.name.clone()).unwrap_or_default()),
                    Cell::Number(counts.total() as f64),
                ];
                row.extend(statuses.iter().map(|s| Cell::Number(counts.get(*s) as f64)));
                row.push(share(counts.on_time_rate()));
                row
            })
            .collect();
        let mut widths = vec![12.0, 36.0, 10.0];
        widths.extend(statuses.iter().map(|_| 12.0));
        widths.push(10.0);
        let layout = Layout {
            title: format!("Nhiệm vụ thực hiện {root}, theo cơ quan chủ trì"),
            percent: &[headers.len() - 1],
            headers,
            widths: &widths,
        };
        table(workbook.add_worksheet().set_name("Theo cơ quan")?, &styles, &subtitle, layout, &summary)?;
        workbook.save_to_buffer()
    }
}
