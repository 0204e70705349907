//! Workbooks (.xlsx, .xls and what calamine else recognises): every sheet with a recognisable
//! table is read; sheets without one (填表说明) are passed over.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Dimensions, Range, Reader, Sheets};

use crate::config::{InputLimits, SourceSpec};
use crate::model::Reject;

use super::merges;
use super::recognise::{Context, Vocabulary};
use super::table::{header_texts, locate_header, Header, Row, TableReader, HEAD_ROWS};
use super::values::Cell;
use super::{FileError, Rows, SheetOutput, SheetReport};
use crate::tr;

impl Row for [Data] {
    fn width(&self) -> usize {
        self.len()
    }
    fn cell(&self, col: usize) -> Cell<'_> {
        match self.get(col) {
            Some(Data::String(s)) | Some(Data::DateTimeIso(s)) => Cell::text(s),
            Some(Data::Float(f)) => Cell::Number(*f),
            Some(Data::Int(i)) => Cell::Number(*i as f64),
            Some(Data::Bool(b)) => Cell::Bool(*b),
            Some(Data::DateTime(dt)) => Cell::Date(dt.as_f64()),
            // Durations and formula errors (#N/A) carry nothing a record can use.
            Some(Data::DurationIso(_)) | Some(Data::Error(_)) | Some(Data::Empty) | None => {
                Cell::Empty
            }
        }
    }
}

/// Reads the data sheets of a workbook; returns the format name and one output per sheet.
pub fn read_workbook(
    bytes: &[u8],
    file: &str,
    spec: &SourceSpec,
    limits: &InputLimits,
    vocabulary: &Vocabulary,
) -> Result<(&'static str, Vec<SheetOutput>), FileError> {
    let ctx = Context {
        kind: spec.kind,
        overrides: &spec.columns,
        vocabulary,
    };
    let (mut workbook, format) = open(bytes, file, limits)?;
    let sheet_paths = match workbook {
        Sheets::Xlsx(_) => merges::sheet_paths(bytes).unwrap_or_default(),
        Sheets::Xls(_) | Sheets::Xlsb(_) | Sheets::Ods(_) => HashMap::new(),
    };
    let wanted = wanted_sheets(workbook.sheet_names(), spec, file)?;
    let (tables, broken) = locate_tables(&mut workbook, bytes, &sheet_paths, wanted, &ctx, limits);
    if tables.is_empty() {
        return Err(no_table(file, broken));
    }

    let several = tables.len() > 1;
    let mut outputs: Vec<SheetOutput> = tables
        .into_iter()
        .map(|sheet| read_table(sheet, several, spec, file, limits))
        .collect();
    // A sheet that cannot be read costs only that sheet.
    outputs.extend(
        broken
            .into_iter()
            .map(|(sheet, message)| unreadable_sheet(sheet, message, spec, file)),
    );
    Ok((format, outputs))
}

type Workbook<'a> = Sheets<Cursor<&'a [u8]>>;

/// Opens the workbook, once its unpacked size is known to be within the limit, and names
/// its format.
fn open<'a>(
    bytes: &'a [u8],
    file: &str,
    limits: &InputLimits,
) -> Result<(Workbook<'a>, &'static str), FileError> {
    check_unpacked_size(bytes, file, limits)?;
    let workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| FileError::Workbook {
            file: file.to_string(),
            message: e.to_string(),
        })?;
    let format = match workbook {
        Sheets::Xls(_) => "xls",
        Sheets::Xlsx(_) => "xlsx",
        Sheets::Xlsb(_) => "xlsb",
        Sheets::Ods(_) => "ods",
    };
    Ok((workbook, format))
}

/// The sheet the source names, or every sheet.
fn wanted_sheets(
    names: Vec<String>,
    spec: &SourceSpec,
    file: &str,
) -> Result<Vec<String>, FileError> {
    Ok(match &spec.sheet {
        Some(sheet) if names.contains(sheet) => vec![sheet.clone()],
        Some(sheet) => {
            return Err(FileError::NoSuchSheet {
                file: file.to_string(),
                sheet: sheet.clone(),
            })
        }
        None => names,
    })
}

/// A sheet with a recognisable header, its merged cells filled.
struct LocatedSheet {
    name: String,
    range: Range<Data>,
    header: Header,
}

/// The wanted sheets that hold a table, and those that could not be read, with the reason.
fn locate_tables(
    workbook: &mut Workbook<'_>,
    bytes: &[u8],
    sheet_paths: &HashMap<String, String>,
    wanted: Vec<String>,
    ctx: &Context<'_>,
    limits: &InputLimits,
) -> (Vec<LocatedSheet>, Vec<(String, String)>) {
    let mut tables: Vec<LocatedSheet> = Vec::new();
    let mut broken: Vec<(String, String)> = Vec::new();
    for name in wanted {
        // An xlsx sheet's merged regions are read from the bytes on the other core while
        // calamine parses its cells.
        let (range, read_merges) = rayon::join(
            || workbook.worksheet_range(&name),
            || {
                sheet_paths
                    .get(&name)
                    .and_then(|path| merges::at(bytes, path))
            },
        );
        let mut range = match range {
            Ok(range) => range,
            Err(e) => {
                broken.push((name, e.to_string()));
                continue;
            }
        };
        let head: Vec<Vec<String>> = range
            .rows()
            .take(HEAD_ROWS)
            .map(|row| header_texts(row, limits))
            .collect();
        if let Some(header) = locate_header(ctx, &head) {
            let first_row = range.start().map_or(0, |(row, _)| row);
            // Merge information is a refinement; a workbook without it still reads.
            let merges = read_merges.unwrap_or_else(|| match &mut *workbook {
                Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
                Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
                Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
            });
            fill_merged_cells(&mut range, &merges, first_row + header.row as u32);
            tables.push(LocatedSheet {
                name,
                range,
                header,
            });
        }
    }
    (tables, broken)
}

/// No wanted sheet holds a table: the first unreadable sheet says why, else no header.
fn no_table(file: &str, broken: Vec<(String, String)>) -> FileError {
    match broken.into_iter().next() {
        Some((sheet, message)) => FileError::Workbook {
            file: file.to_string(),
            message: tr!("工作表 {sheet}: {message}", "sheet {sheet}: {message}"),
        },
        None => FileError::NoHeader {
            file: file.to_string(),
        },
    }
}

/// Reads the rows below a located header; sheets are named in the source when the file has
/// several.
fn read_table(
    sheet: LocatedSheet,
    several: bool,
    spec: &SourceSpec,
    file: &str,
    limits: &InputLimits,
) -> SheetOutput {
    let LocatedSheet {
        name,
        range,
        header,
    } = sheet;
    // The used range may start below row 1 when the top rows are empty.
    let first_row = range.start().map_or(0, |(row, _)| row) + 1;
    let header_index = header.row;
    let mut table = TableReader::new(
        spec.kind,
        file,
        Some(name.clone()),
        several.then(|| name.clone()),
        header,
        first_row + header_index as u32,
        limits,
    );
    for (i, row) in range.rows().enumerate().skip(header_index + 1) {
        table.push(first_row + i as u32, row);
    }
    SheetOutput {
        report: table.report,
        records: table.records.into(),
        rejects: table.rejects,
    }
}

/// A sheet that could not be read: an empty report and one reject that says why.
fn unreadable_sheet(sheet: String, message: String, spec: &SourceSpec, file: &str) -> SheetOutput {
    SheetOutput {
        report: SheetReport {
            sheet: Some(sheet.clone()),
            ..SheetReport::default()
        },
        records: Rows::default(),
        rejects: vec![Reject {
            file: file.to_string(),
            reason: tr!(
                "文件 {file} 的工作表 {sheet} 无法读取: {message}",
                "cannot read sheet {sheet} of {file}: {message}"
            ),
            sheet: Some(sheet),
            row: None,
            kind: Some(spec.kind),
        }],
    }
}

/// A sheet's name, and its used range or why it cannot be read.
pub type NamedRange = (String, Result<Range<Data>, String>);

/// Every sheet of a workbook in order; no header is looked for.
pub fn read_ranges(
    bytes: &[u8],
    file: &str,
    limits: &InputLimits,
) -> Result<Vec<NamedRange>, FileError> {
    let (mut workbook, _) = open(bytes, file, limits)?;
    let sheets = workbook
        .sheet_names()
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).map_err(|e| e.to_string());
            (name, range)
        })
        .collect();
    Ok(sheets)
}

/// Rolls merge cells such as 户编号 or 户主姓名 over all members of a household; only the
/// first cell holds the value, so it is copied into the cells the merge covers below the
/// header (0-based absolute row `header_row`). Header merges are handled by header location.
fn fill_merged_cells(range: &mut Range<Data>, merges: &[Dimensions], header_row: u32) {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return;
    };
    for merge in merges {
        let (top, left) = merge.start;
        if top <= header_row || top < start.0 || left < start.1 {
            continue;
        }
        let Some(value) = range.get_value(merge.start).cloned() else {
            continue;
        };
        if value == Data::Empty {
            continue;
        }
        for row in top..=merge.end.0.min(end.0) {
            for col in left..=merge.end.1.min(end.1) {
                if (row, col) != merge.start {
                    range.set_value((row, col), value.clone());
                }
            }
        }
    }
}

/// An xlsx is a zip: its central directory states each part's unpacked size. Refuse
/// workbooks that would unpack beyond the limit (zip bombs, absurd sheets) before calamine
/// inflates anything. The legacy .xls format is not compressed and is bounded by file size.
fn check_unpacked_size(bytes: &[u8], file: &str, limits: &InputLimits) -> Result<(), FileError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // calamine reports the corrupt zip with its own message.
        return Ok(());
    };
    let mut unpacked: u64 = 0;
    for i in 0..archive.len() {
        if let Ok(entry) = archive.by_index_raw(i) {
            unpacked = unpacked.saturating_add(entry.size());
        }
    }
    if unpacked > limits.max_unpacked_bytes {
        return Err(FileError::Unpacked {
            file: file.to_string(),
            unpacked,
            max: limits.max_unpacked_bytes,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, SourceKind};

    fn spec(kind: SourceKind) -> SourceSpec {
        SourceSpec {
            kind,
            glob: "*".into(),
            sheet: None,
            columns: Default::default(),
        }
    }

    fn xlsx(build: impl FnOnce(&mut rust_xlsxwriter::Workbook)) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        build(&mut wb);
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn date_cells_text_dates_and_id_strings() {
        let bytes = xlsx(|wb| {
            let ws = wb.add_worksheet();
            let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
            ws.write_row(
                0,
                0,
                ["姓名", "身份证号", "结算日期", "个人自付", "联系电话"],
            )
            .unwrap();
            ws.write(1, 0, "张三").unwrap();
            ws.write(1, 1, "410123199001011234").unwrap();
            let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 3, 5).unwrap();
            ws.write_with_format(1, 2, &d, &date).unwrap();
            ws.write(1, 3, 1234.5).unwrap();
            ws.write(1, 4, 13800138000.0).unwrap();
            ws.write_row(2, 0, ["李四", "", "2021年4月1日", "800元"])
                .unwrap();
        });
        let (format, sheets) = read_workbook(
            &bytes,
            "医保.xlsx",
            &spec(SourceKind::Medical),
            &InputLimits::default(),
            &Vocabulary::default(),
        )
        .unwrap();
        assert_eq!(format, "xlsx");
        let records = &sheets[0].records;
        assert_eq!(records.len(), 2);
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        let (first, second) = (records.get(0).unwrap(), records.get(1).unwrap());
        assert_eq!(first.text(Field::IdNumber), Some("410123199001011234"));
        assert_eq!(first.date(Field::SettlementDate), date(2021, 3, 5));
        assert_eq!(first.text(Field::Phone), Some("13800138000"));
        assert_eq!(second.date(Field::SettlementDate), date(2021, 4, 1));
        assert_eq!(second.amount(Field::OutOfPocket), Some(800.0));
        assert_eq!(second.source().to_string(), "医保.xlsx#3");
    }

    #[test]
    fn missing_sheet_and_corrupt_bytes_are_file_errors() {
        let bytes = xlsx(|wb| {
            wb.add_worksheet()
                .set_name("数据")
                .unwrap()
                .write_row(0, 0, ["姓名", "身份证号"])
                .unwrap();
        });
        let mut s = spec(SourceKind::Medical);
        s.sheet = Some("Sheet9".into());
        let err = read_workbook(
            &bytes,
            "a.xlsx",
            &s,
            &InputLimits::default(),
            &Vocabulary::default(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "文件 a.xlsx 中没有名为 Sheet9 的工作表");
        let err = read_workbook(
            b"not a workbook at all",
            "b.xlsx",
            &spec(SourceKind::Medical),
            &InputLimits::default(),
            &Vocabulary::default(),
        )
        .unwrap_err();
        assert!(matches!(err, FileError::Workbook { .. }), "{err}");
    }
}
