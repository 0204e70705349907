//! The one writer of loubao's workbooks and CSVs. A `Table` (a list) is written twice: as a
//! worksheet (frozen header, fitted widths, text-typed ID columns, optional drop-down) and
//! as a UTF-8 CSV with BOM. A `Form` is a free-form sheet (a title, boxed cells, totals) for
//! the ledger's reports. Both write the same `Cell`s, cleaned and fitted the same way. Also
//! the `Output` that writes a run's files atomically and owner-only and remembers them.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

use super::Error;
use crate::digest::sha256_hex;
use crate::ingest::without_controls;
use crate::ops;

/// One cell. Text stays text in both outputs; numbers are numbers in the workbook.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Count(usize),
    /// Shown with two decimals.
    Decimal(f64),
}

impl Cell {
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub(crate) fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Decimal(x) => format!("{x:.2}"),
        }
    }
}

/// A drop-down list on one column, for the rows a clerk fills in.
pub(crate) struct Dropdown {
    pub column: usize,
    pub options: &'static [&'static str],
}

pub(crate) struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Columns holding IDs, phones or codes: formatted as text (`@`) so Excel never turns
    /// them into numbers, not even when a clerk types into them.
    pub text_columns: Vec<usize>,
    pub dropdown: Option<Dropdown>,
    /// Columns a clerk writes into (核查人, 备注 …): at least this wide, however empty.
    pub min_widths: Vec<(usize, f64)>,
    /// A list printed for 入户核查: autofilter, landscape, one page wide, header on every page.
    pub printable: bool,
}

impl Table {
    pub(crate) fn new(sheet: &str, headers: &[&str]) -> Table {
        Table {
            sheet: sheet.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            text_columns: Vec::new(),
            dropdown: None,
            min_widths: Vec::new(),
            printable: false,
        }
    }

    /// Adds this table as a new worksheet of `workbook`.
    fn add_to(&self, workbook: &mut Workbook) -> Result<(), XlsxError> {
        let header_format = Format::new()
            .set_bold()
            .set_background_color(0xDDEBF7)
            .set_border_bottom(FormatBorder::Thin);
        let text_format = Format::new().set_num_format("@");
        let decimal_format = Format::new().set_num_format("0.00");

        let sheet = workbook.add_worksheet();
        sheet.set_name(&self.sheet)?;
        for (col, header) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, header, &header_format)?;
        }
        for &col in &self.text_columns {
            sheet.set_column_format(col as u16, &text_format)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let format = match cell {
                    Cell::Text(s) if s.is_empty() => continue,
                    // A cell's own format wins over its column's, so text columns repeat it.
                    Cell::Text(_) if self.text_columns.contains(&col) => Some(&text_format),
                    Cell::Text(_) | Cell::Count(_) => None,
                    Cell::Decimal(_) => Some(&decimal_format),
                };
                write_cell(sheet, r, col as u16, cell, format)?;
            }
        }
        for (col, width) in self.column_widths().into_iter().enumerate() {
            sheet.set_column_width(col as u16, width)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        if self.printable {
            let last_col = self.headers.len().saturating_sub(1) as u16;
            sheet.autofilter(0, 0, self.rows.len() as u32, last_col)?;
            sheet.set_landscape();
            sheet.set_paper_size(9); // A4
            sheet.set_print_fit_to_pages(1, 0);
            sheet.set_repeat_rows(0, 0)?;
        }
        if let Some(dropdown) = &self.dropdown {
            let validation = DataValidation::new()
                .allow_list_strings(dropdown.options)?
                .set_error_title("核查结果")?
                .set_error_message("请从下拉列表中选择")?;
            // At least one row, so an empty list still shows clerks the choices.
            let last = self.rows.len().max(1) as u32;
            let col = dropdown.column as u16;
            sheet.add_data_validation(1, col, last, col, &validation)?;
        }
        Ok(())
    }

    /// The same rows as CSV: UTF-8 with BOM (so Excel detects the encoding), CRLF line ends.
    pub(crate) fn to_csv(&self) -> Vec<u8> {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        {
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut bytes);
            // Writing into a Vec cannot fail.
            writer
                .write_record(
                    self.headers
                        .iter()
                        .map(|h| csv_safe(without_controls(h).into_owned())),
                )
                .expect("write to memory");
            for row in &self.rows {
                writer
                    .write_record(row.iter().enumerate().map(|(col, c)| {
                        let text = without_controls(&c.display()).into_owned();
                        if self.text_columns.contains(&col) {
                            digits_as_text(text)
                        } else {
                            csv_safe(text)
                        }
                    }))
                    .expect("write to memory");
            }
            writer.flush().expect("write to memory");
        }
        bytes
    }

    /// Widths in Excel character units, CJK characters counting double.
    fn column_widths(&self) -> Vec<f64> {
        (0..self.headers.len())
            .map(|col| {
                let content = self
                    .rows
                    .iter()
                    .filter_map(|row| row.get(col))
                    .map(|cell| display_width(&cell.display()))
                    .max()
                    .unwrap_or(0);
                // The drop-down's choices must fit too, or the clerk's pick is cut off.
                let choices = self
                    .dropdown
                    .as_ref()
                    .filter(|d| d.column == col)
                    .and_then(|d| d.options.iter().map(|o| display_width(o)).max())
                    .unwrap_or(0);
                let widest = content.max(choices).max(display_width(&self.headers[col]));
                let floor = self
                    .min_widths
                    .iter()
                    .find(|(c, _)| *c == col)
                    .map_or(6.0, |(_, w)| *w);
                (widest as f64 + 2.0).clamp(floor, 60.0_f64.max(floor))
            })
            .collect()
    }
}

/// Writes one cell, its text cleaned of control characters and fitted to Excel's limit.
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    match (cell, format) {
        (Cell::Text(s), Some(format)) => {
            sheet.write_string_with_format(row, col, fit_cell(&without_controls(s)), format)?
        }
        (Cell::Text(s), None) => sheet.write_string(row, col, fit_cell(&without_controls(s)))?,
        (Cell::Count(n), Some(format)) => {
            sheet.write_number_with_format(row, col, *n as f64, format)?
        }
        (Cell::Count(n), None) => sheet.write_number(row, col, *n as f64)?,
        (Cell::Decimal(x), Some(format)) => sheet.write_number_with_format(row, col, *x, format)?,
        (Cell::Decimal(x), None) => sheet.write_number(row, col, *x)?,
    };
    Ok(())
}

/// How a cell of a form looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormStyle {
    Plain,
    /// Large, bold and centred, over merged cells.
    Title,
    /// Boxed, bold, wrapped and centred on the header colour.
    Header,
    /// Boxed.
    Boxed,
    /// Boxed and bold: a 合计 row.
    Total,
}

struct FormFormats {
    title: Format,
    header: Format,
    boxed: Format,
    total: Format,
}

impl FormFormats {
    fn new() -> FormFormats {
        let boxed = Format::new().set_border(FormatBorder::Thin);
        FormFormats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            header: boxed
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color("#DDEBF7"),
            total: boxed.clone().set_bold(),
            boxed,
        }
    }

    fn of(&self, style: FormStyle) -> Option<&Format> {
        match style {
            FormStyle::Plain => None,
            FormStyle::Title => Some(&self.title),
            FormStyle::Header => Some(&self.header),
            FormStyle::Boxed => Some(&self.boxed),
            FormStyle::Total => Some(&self.total),
        }
    }
}

enum FormItem {
    Cell {
        row: u32,
        col: u16,
        cell: Cell,
        style: FormStyle,
    },
    /// Text over the merged cells `first..=last` of one row.
    Merged {
        row: u32,
        first: u16,
        last: u16,
        text: String,
        style: FormStyle,
    },
}

/// A free-form sheet: cells placed where they go, as a report to the county is laid out.
/// Written in the order given; every cell of a style shares its format, boxed or not.
pub(crate) struct Form {
    sheet: String,
    items: Vec<FormItem>,
    /// (first column, last column, width), applied in order.
    widths: Vec<(u16, u16, f64)>,
    freeze: Option<(u32, u16)>,
}

impl Form {
    pub(crate) fn new(sheet: &str) -> Form {
        Form {
            sheet: sheet.to_string(),
            items: Vec::new(),
            widths: Vec::new(),
            freeze: None,
        }
    }

    /// A title over columns `0..=last_col` of `row`.
    pub(crate) fn title(&mut self, row: u32, last_col: u16, text: impl Into<String>) {
        self.items.push(FormItem::Merged {
            row,
            first: 0,
            last: last_col,
            text: text.into(),
            style: FormStyle::Title,
        });
    }

    pub(crate) fn cell(&mut self, row: u32, col: u16, cell: Cell, style: FormStyle) {
        self.items.push(FormItem::Cell {
            row,
            col,
            cell,
            style,
        });
    }

    /// `cells` side by side from column 0 of `row`.
    pub(crate) fn row(
        &mut self,
        row: u32,
        cells: impl IntoIterator<Item = Cell>,
        style: FormStyle,
    ) {
        for (col, cell) in cells.into_iter().enumerate() {
            self.cell(row, col as u16, cell, style);
        }
    }

    /// Columns `first..=last` are `width` wide (later calls win).
    pub(crate) fn widths(&mut self, first: u16, last: u16, width: f64) {
        self.widths.push((first, last, width));
    }

    /// Rows above `row` and columns left of `col` stay in view.
    pub(crate) fn freeze(&mut self, row: u32, col: u16) {
        self.freeze = Some((row, col));
    }

    fn add_to(&self, workbook: &mut Workbook) -> Result<(), XlsxError> {
        let formats = FormFormats::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(&self.sheet)?;
        for item in &self.items {
            match item {
                FormItem::Cell {
                    row,
                    col,
                    cell,
                    style,
                } => write_cell(sheet, *row, *col, cell, formats.of(*style))?,
                FormItem::Merged {
                    row,
                    first,
                    last,
                    text,
                    style,
                } => {
                    let format = formats.of(*style).cloned().unwrap_or_default();
                    let text = fit_cell(&without_controls(text)).into_owned();
                    sheet.merge_range(*row, *first, *row, *last, &text, &format)?;
                }
            }
        }
        for &(first, last, width) in &self.widths {
            sheet.set_column_range_width(first, last, width)?;
        }
        if let Some((row, col)) = self.freeze {
            sheet.set_freeze_panes(row, col)?;
        }
        Ok(())
    }
}

/// A sheet of a workbook: a list or a form.
pub(crate) enum Sheet<'a> {
    Table(&'a Table),
    Form(&'a Form),
}

/// Deflate level of a workbook's parts: Excel's own. rust_xlsxwriter's default, 6, took a
/// quarter of the lists' time at county scale for files 12% smaller.
const ZIP_LEVEL: u8 = 3;

/// The bytes of a workbook holding `sheets` in order. `created` fixes its creation time (a
/// run's `as_of`, so the same run gives the same bytes); without it, rust_xlsxwriter stamps
/// the current time.
pub(crate) fn workbook_bytes(
    sheets: &[Sheet<'_>],
    created: Option<NaiveDate>,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(ZIP_LEVEL);
    if let Some(date) = created {
        let date = ExcelDateTime::from_ymd(
            date.year().clamp(1900, 9999) as u16,
            date.month() as u8,
            date.day() as u8,
        )
        .expect("a valid calendar date");
        workbook.set_properties(
            &DocProperties::new()
                .set_author("loubao")
                .set_creation_datetime(&date),
        );
    }
    for sheet in sheets {
        match sheet {
            Sheet::Table(table) => table.add_to(&mut workbook)?,
            Sheet::Form(form) => form.add_to(&mut workbook)?,
        }
    }
    workbook.save_to_buffer()
}

/// Text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// CR, unless it is a plain number such as `-12.5`) gets a leading apostrophe: input files
/// are untrusted and the CSV is opened in Excel. `-1+HYPERLINK(…)` is a formula.
fn csv_safe(text: String) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.len() > 1 && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text
    }
}

/// A text column's cell as Excel, WPS and LibreOffice keep it text when they open the CSV:
/// a long run of digits (an ID, a phone) would become `3.70325195006081E+17` and lose its
/// last digits on save, so it gets a leading tab, which every spreadsheet reads as text and
/// every reader that trims cells (ours, a scorer's) ignores. A tab before digits cannot start
/// a formula. Anything else gets the usual formula escaping.
fn digits_as_text(text: String) -> String {
    let long_number = text.len() >= 11
        && text.len() <= 20
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (b == b'X' && i + 1 == text.len()));
    if long_number {
        format!("\t{text}")
    } else {
        csv_safe(text)
    }
}

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// A cell's text as the workbook can hold it: over Excel's limit, the start and where the
/// rest is (the CSV of the same name holds every character).
fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let count = text.chars().count();
    if count <= MAX_CELL_CHARS {
        return text.into();
    }
    let note = format!("…(共 {count} 字, 超出 Excel 单元格上限, 全文见同名 CSV 文件)");
    let keep = MAX_CELL_CHARS - note.chars().count();
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(&note);
    out.into()
}

/// Columns a string takes in a fixed-width view: East Asian wide characters count two.
pub(crate) fn display_width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// One file written, as the manifest lists it.
pub(crate) struct Written {
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
}

/// Where the outputs go, and what has been written so far (for the manifest).
pub(crate) struct Output {
    dir: PathBuf,
    as_of: NaiveDate,
    files: Vec<Written>,
}

impl Output {
    pub(crate) fn new(dir: &Path, as_of: NaiveDate) -> Output {
        Output {
            dir: dir.to_path_buf(),
            as_of,
            files: Vec::new(),
        }
    }

    pub(crate) fn write_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let written = write_file(&self.dir, name, bytes)?;
        self.files.push(written);
        Ok(())
    }

    /// A workbook of `sheets`, created on the run's `as_of`.
    pub(crate) fn write_workbook(&mut self, name: &str, sheets: &[Sheet<'_>]) -> Result<(), Error> {
        let bytes = workbook_bytes(sheets, Some(self.as_of)).map_err(|e| xlsx_error(name, e))?;
        self.write_bytes(name, &bytes)
    }

    /// Writes each `(stem, table)` as `stem.xlsx` and `stem.csv`, rendered, written and
    /// hashed in parallel (compressing a workbook is most of a list's cost); they are
    /// recorded in order.
    pub(crate) fn write_tables(&mut self, tables: &[(String, Table)]) -> Result<(), Error> {
        let as_of = self.as_of;
        let dir = &self.dir;
        // Every file is a job of its own, the costliest first: the list is done when its
        // last file is, and a large township's workbook started last kept one core
        // compressing it alone.
        let mut jobs: Vec<(usize, ListFile)> = (0..tables.len())
            .flat_map(|t| [(t, ListFile::Workbook), (t, ListFile::Csv)])
            .collect();
        jobs.sort_by_key(|&(t, file)| std::cmp::Reverse(tables[t].1.rows.len() * file.row_cost()));
        let mut written: Vec<((usize, ListFile), Written)> = jobs
            .into_par_iter()
            .with_max_len(1)
            .map(|(t, file)| {
                let (stem, table) = &tables[t];
                let done = match file {
                    ListFile::Workbook => {
                        let name = format!("{stem}.xlsx");
                        let bytes = workbook_bytes(&[Sheet::Table(table)], Some(as_of))
                            .map_err(|e| xlsx_error(&name, e))?;
                        write_file(dir, &name, &bytes)?
                    }
                    ListFile::Csv => write_file(dir, &format!("{stem}.csv"), &table.to_csv())?,
                };
                Ok(((t, file), done))
            })
            .collect::<Result<_, Error>>()?;
        written.sort_by_key(|(slot, _)| *slot);
        self.files.extend(written.into_iter().map(|(_, file)| file));
        Ok(())
    }

    pub(crate) fn files(&self) -> &[Written] {
        &self.files
    }

    pub(crate) fn into_paths(self) -> Vec<PathBuf> {
        self.files.into_iter().map(|w| w.path).collect()
    }
}

/// The two files of a list, in the order they are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ListFile {
    Workbook,
    Csv,
}

impl ListFile {
    /// What a row costs to write, roughly: compressing a workbook is most of a list's cost.
    fn row_cost(self) -> usize {
        match self {
            ListFile::Workbook => 4,
            ListFile::Csv => 1,
        }
    }
}

/// Writes `name` in `dir` atomically and records its size and SHA-256 for the manifest.
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<Written, Error> {
    let path = dir.join(name);
    ops::write_atomic(&path, bytes)?;
    Ok(Written {
        path,
        bytes: bytes.len() as u64,
        sha256: sha256_hex(bytes),
    })
}

pub(crate) fn xlsx_error(name: &str, source: XlsxError) -> Error {
    Error::Xlsx {
        file: name.to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_characters_count_double() {
        assert_eq!(display_width("城关镇"), 6);
        assert_eq!(display_width("R01;R02"), 7);
        assert_eq!(display_width("Ａ1"), 3);
    }

    #[test]
    fn formula_like_text_is_neutralised_in_csv() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(csv_safe("-1+2".into()), "'-1+2");
        assert_eq!(
            csv_safe("-1+cmd|' /C calc'!A0".into()),
            "'-1+cmd|' /C calc'!A0"
        );
        assert_eq!(csv_safe("-12.50".into()), "-12.50");
        assert_eq!(csv_safe("-".into()), "-");
        assert_eq!(csv_safe("张三".into()), "张三");
    }

    #[test]
    fn widths_fit_content_header_and_dropdown_choices() {
        let mut table = Table::new("s", &["姓名", "核查结果"]);
        table
            .rows
            .push(vec![Cell::text("欧阳娜娜"), Cell::text("")]);
        table.dropdown = Some(Dropdown {
            column: 1,
            options: &["符合条件已纳入保障", "其他"],
        });
        assert_eq!(table.column_widths(), [10.0, 20.0]);
    }

    #[test]
    fn csv_has_bom_header_and_crlf() {
        let mut table = Table::new("s", &["姓名", "人数"]);
        table.rows.push(vec![Cell::text("张三"), Cell::Count(2)]);
        let csv = String::from_utf8(table.to_csv()).unwrap();
        assert_eq!(csv, "\u{FEFF}姓名,人数\r\n张三,2\r\n");
    }
}
