//! Writing department files the way departments send them: xlsx with a merged title row, an
//! optional 填报单位 line, the header (sometimes two rows), data, a 合计 row and a 制表人
//! footer; csv in GB18030 (what Chinese Excel saves) or UTF-8 with BOM. Also the truth's
//! `rows.csv`, which names the physical row of every data row written here.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use loubao_lang::tr;
use loubao_model::{Role, SourceRef};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Num(f64),
    Date(NaiveDate),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    pub fn opt(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Empty, Cell::text)
    }

    fn csv(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            // 序号 and whole amounts print as integers, the way Excel saves them.
            Cell::Num(n) if n.fract() == 0.0 => format!("{n:.0}"),
            Cell::Num(n) => format!("{n:.2}"),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    CsvGb18030,
    CsvUtf8Bom,
    /// Plain UTF-8, for the truth files.
    CsvUtf8,
}

/// One data row and who it is about.
#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// The true persons of the row; children-at-risk rows name the child and both parents.
    pub people: Vec<(Role, usize)>,
    /// Defects applied to this row's cells (see `noise`).
    pub noise: Vec<&'static str>,
}

/// A department file before it is written.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: String,
    pub format: FileFormat,
    pub title: Option<String>,
    /// The 填报单位 line under the title.
    pub unit: Option<String>,
    /// Group row over the header: (first column, last column, label).
    pub groups: Vec<(u16, u16, &'static str)>,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Row>,
    /// 合计 row and 制表人/审核人 footer (xlsx only).
    pub footer: bool,
}

impl Table {
    /// Physical 1-based row of the first data row.
    pub fn first_data_row(&self) -> u32 {
        1 + u32::from(self.title.is_some())
            + u32::from(self.unit.is_some())
            + u32::from(!self.groups.is_empty())
            + 1
    }

    pub fn source_ref(&self, index: usize) -> SourceRef {
        SourceRef::new(
            self.file.as_str(),
            None,
            self.first_data_row() + index as u32,
        )
    }
}

pub fn write_table(dir: &Path, table: &Table) -> anyhow::Result<()> {
    let path = dir.join(&table.file);
    match table.format {
        FileFormat::Xlsx => write_xlsx(&path, table),
        FileFormat::CsvGb18030 | FileFormat::CsvUtf8Bom | FileFormat::CsvUtf8 => {
            let mut sink = CsvSink::create(&path, table.format)?;
            if let Some(title) = &table.title {
                sink.write(&[title.as_str()])?;
            }
            if let Some(unit) = &table.unit {
                sink.write(&[unit.as_str()])?;
            }
            sink.write(&table.headers)?;
            for row in &table.rows {
                let cells: Vec<String> = row.cells.iter().map(Cell::csv).collect();
                sink.write(&cells)?;
            }
            sink.finish()
        }
    }
    .with_context(|| tr!("写入 {} 失败", "writing {} failed", path.display()))
}

/// Fixed document properties: rust_xlsxwriter would otherwise stamp the current time into
/// docProps/core.xml, and the same seed must give the same bytes.
fn fixed_properties() -> anyhow::Result<DocProperties> {
    let created = ExcelDateTime::from_ymd(2021, 6, 30)?.and_hms(8, 0, 0)?;
    Ok(DocProperties::new()
        .set_author("示例县")
        .set_creation_datetime(&created))
}

fn write_xlsx(path: &Path, table: &Table) -> anyhow::Result<()> {
    let mut wb = Workbook::new();
    wb.set_properties(&fixed_properties()?);
    let ws = wb.add_worksheet();
    ws.set_name("Sheet1")?;
    let bold_center = Format::new().set_bold().set_align(FormatAlign::Center);
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let last_col = table.headers.len().saturating_sub(1) as u16;
    let mut row: u32 = 0;
    if let Some(title) = &table.title {
        ws.merge_range(row, 0, row, last_col, title, &bold_center)?;
        row += 1;
    }
    if let Some(unit) = &table.unit {
        ws.write_string(row, 0, unit)?;
        row += 1;
    }
    if !table.groups.is_empty() {
        for &(first, last, label) in &table.groups {
            if first == last {
                ws.write_string_with_format(row, first, label, &bold_center)?;
            } else {
                ws.merge_range(row, first, row, last, label, &bold_center)?;
            }
        }
        row += 1;
    }
    for (c, h) in table.headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &bold_center)?;
    }
    row += 1;
    for data in &table.rows {
        for (c, cell) in data.cells.iter().enumerate() {
            write_cell(ws, row, c as u16, cell, &date_fmt)?;
        }
        row += 1;
    }
    if table.footer {
        ws.write_string(row, 0, "合计")?;
        ws.write_string(row, 1, format!("共{}条", table.rows.len()))?;
        ws.write_string(
            row + 2,
            0,
            "制表人：王红梅    审核人：李建国    填报日期：2021年6月30日",
        )?;
    }
    wb.save(path)?;
    Ok(())
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    date_fmt: &Format,
) -> anyhow::Result<()> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string(row, col, s)?;
        }
        Cell::Num(n) => {
            ws.write_number(row, col, *n)?;
        }
        Cell::Date(d) => {
            use chrono::Datelike;
            let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            ws.write_datetime_with_format(row, col, &dt, date_fmt)?;
        }
    }
    Ok(())
}

/// A csv file in GB18030 or UTF-8 with BOM, written in chunks so that millions of claim
/// lines never sit in memory.
pub struct CsvSink {
    out: BufWriter<File>,
    buf: csv::Writer<Vec<u8>>,
    format: FileFormat,
}

impl CsvSink {
    pub fn create(path: &Path, format: FileFormat) -> anyhow::Result<CsvSink> {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
        if format == FileFormat::CsvUtf8Bom {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        Ok(CsvSink {
            out,
            buf: line_writer(),
            format,
        })
    }

    pub fn write<S: AsRef<[u8]>>(&mut self, record: &[S]) -> anyhow::Result<()> {
        self.buf.write_record(record)?;
        if self.buf.get_ref().len() >= 1 << 16 {
            self.drain()?;
        }
        Ok(())
    }

    fn drain(&mut self) -> anyhow::Result<()> {
        let bytes = std::mem::replace(&mut self.buf, line_writer())
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{}", e.error()))?;
        if self.format == FileFormat::CsvGb18030 {
            let text = std::str::from_utf8(&bytes)?;
            let (encoded, _, _) = encoding_rs::GB18030.encode(text);
            self.out.write_all(&encoded)?;
        } else {
            self.out.write_all(&bytes)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        self.drain()?;
        self.out.flush()?;
        Ok(())
    }
}

fn line_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(1 << 16))
}

/// `truth/rows.csv`: one line per (data row, person in it).
pub struct RowsTruth {
    sink: CsvSink,
}

pub fn person_id(pid: usize) -> String {
    format!("P{pid:07}")
}

pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Subject => "subject",
        Role::Father => "father",
        Role::Mother => "mother",
    }
}

impl RowsTruth {
    pub fn create(path: &Path) -> anyhow::Result<RowsTruth> {
        let mut sink = CsvSink::create(path, FileFormat::CsvUtf8)?;
        sink.write(&["source_ref", "person_id", "role", "noise"])?;
        Ok(RowsTruth { sink })
    }

    pub fn row(
        &mut self,
        source: &SourceRef,
        people: &[(Role, usize)],
        noise: &[&str],
    ) -> anyhow::Result<()> {
        let source = source.to_string();
        let noise = noise.join(";");
        for (role, pid) in people {
            self.sink
                .write(&[source.as_str(), &person_id(*pid), role_key(*role), &noise])?;
        }
        Ok(())
    }

    pub fn table(&mut self, table: &Table) -> anyhow::Result<()> {
        for (i, row) in table.rows.iter().enumerate() {
            self.row(&table.source_ref(i), &row.people, &row.noise)?;
        }
        Ok(())
    }

    pub fn finish(self) -> anyhow::Result<()> {
        self.sink.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(format: FileFormat) -> Table {
        Table {
            file: "t.csv".into(),
            format,
            title: Some("示例县名单".into()),
            unit: None,
            groups: Vec::new(),
            headers: vec!["序号", "姓名", "金额"],
            rows: vec![Row {
                cells: vec![Cell::Num(1.0), Cell::text("張偉"), Cell::Num(12.5)],
                people: vec![(Role::Subject, 3)],
                noise: vec!["traditional"],
            }],
            footer: false,
        }
    }

    #[test]
    fn csv_is_gb18030_or_bom_and_rows_are_counted_from_the_title() {
        let dir = tempfile::tempdir().unwrap();
        let t = table(FileFormat::CsvGb18030);
        assert_eq!(t.first_data_row(), 3);
        assert_eq!(t.source_ref(0).to_string(), "t.csv#3");
        write_table(dir.path(), &t).unwrap();
        let bytes = std::fs::read(dir.path().join("t.csv")).unwrap();
        let (text, _, errors) = encoding_rs::GB18030.decode(&bytes);
        assert!(!errors);
        assert_eq!(text, "示例县名单\r\n序号,姓名,金额\r\n1,張偉,12.50\r\n");
        assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8");

        let t = table(FileFormat::CsvUtf8Bom);
        write_table(dir.path(), &t).unwrap();
        let bytes = std::fs::read(dir.path().join("t.csv")).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF\xE7\xA4\xBA"));
    }

    #[test]
    fn truth_rows_name_every_person_of_a_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        let mut truth = RowsTruth::create(&path).unwrap();
        let source = SourceRef::new("困境儿童.xlsx", None, 4);
        truth
            .row(
                &source,
                &[(Role::Subject, 1), (Role::Father, 2)],
                &["fullwidth", "homophone"],
            )
            .unwrap();
        truth.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "source_ref,person_id,role,noise\r\n\
             困境儿童.xlsx#4,P0000001,subject,fullwidth;homophone\r\n\
             困境儿童.xlsx#4,P0000002,father,fullwidth;homophone\r\n"
        );
    }
}
