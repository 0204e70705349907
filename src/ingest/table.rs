//! Finding the table in a sheet: the header row below titles, 填报单位 lines and blank rows,
//! two-row headers (父亲信息 over 姓名/身份证号), the mapping of headers onto canonical fields
//! for one source kind, and turning the rows below it into records or rejects.

use std::sync::Arc;

use crate::config::InputLimits;
use crate::model::{Field, Reject, SourceFile, SourceKind};

use super::rows::RowPiece;

use super::recognise::{
    looks_like_date, looks_like_id, recognise, Column, Context, HeaderCell, SAMPLE_ROWS,
};
use super::values::{type_cell, Cell};
use super::{result_fields, MappedColumn, SheetReport};
use crate::tr;

/// How many rows from the top the header may sit at.
pub const HEADER_SCAN_ROWS: usize = 30;

/// Rows read before the table to locate and recognise it: the header's candidates and a
/// sample of data below them.
pub const HEAD_ROWS: usize = HEADER_SCAN_ROWS + SAMPLE_ROWS;

/// Why a row of a text file decoded with replacement characters is not used.
pub fn undecodable_row() -> String {
    tr!(
        "本行含有无法识别的字节 (文件编码损坏), 本行不使用",
        "the row holds bytes that cannot be decoded (a damaged encoding): not used"
    )
}

/// One row of a sheet, whatever the reader.
pub trait Row {
    fn width(&self) -> usize;
    fn cell(&self, col: usize) -> Cell<'_>;
}

/// A row's cells as text for header location, at most `max_columns` of them so that a
/// pathological first row cannot blow up memory.
pub fn header_texts<R: Row + ?Sized>(row: &R, limits: &InputLimits) -> Vec<String> {
    (0..row.width().min(limits.max_columns))
        .map(|c| row.cell(c).display())
        .collect()
}

/// The located header: index (into the scanned rows) of its last row, the mapped columns
/// sorted by field so that records come out sorted, and the header texts left unused.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub row: usize,
    pub columns: Vec<Column>,
    pub unused: Vec<String>,
    /// Cells in the header row (the last non-empty one's position + 1).
    pub width: usize,
}

fn single_row(row: &[String]) -> Vec<HeaderCell> {
    row.iter()
        .map(|t| HeaderCell {
            shown: t.clone(),
            tries: if t.is_empty() {
                vec![]
            } else {
                vec![t.clone()]
            },
        })
        .collect()
}

/// A group row over a sub-header row. Merged group cells hold their text in the first column
/// only, so the group label is carried right over the sub-headers it spans.
fn two_rows(top: &[String], bottom: &[String]) -> Vec<HeaderCell> {
    let width = top.len().max(bottom.len());
    let mut cells = Vec::with_capacity(width);
    let mut group = String::new();
    for c in 0..width {
        let t = top.get(c).map(String::as_str).unwrap_or("");
        let b = bottom.get(c).map(String::as_str).unwrap_or("");
        if !t.is_empty() {
            group = t.to_string();
        } else if b.is_empty() {
            group.clear();
        }
        let g = if t.is_empty() && !b.is_empty() {
            group.as_str()
        } else {
            t
        };
        let cell = match (g.is_empty(), b.is_empty()) {
            (true, true) => HeaderCell {
                shown: String::new(),
                tries: vec![],
            },
            (false, true) => HeaderCell {
                shown: g.to_string(),
                tries: vec![g.to_string()],
            },
            (true, false) => HeaderCell {
                shown: b.to_string(),
                tries: vec![b.to_string()],
            },
            (false, false) => {
                let stem = ["信息", "情况", "基本信息"]
                    .iter()
                    .find_map(|s| g.strip_suffix(s))
                    .unwrap_or(g);
                HeaderCell {
                    shown: format!("{g}/{b}"),
                    tries: vec![format!("{stem}{b}"), format!("{g}{b}"), b.to_string()],
                }
            }
        };
        cells.push(cell);
    }
    cells
}

const IDENTITY: [Field; 3] = [Field::Name, Field::IdNumber, Field::CertNumber];

/// A usable header names the person and at least one other column.
fn score(columns: &[Column]) -> usize {
    let identified = columns.iter().any(|c| IDENTITY.contains(&c.field));
    if identified && columns.len() >= 2 {
        columns.len()
    } else {
        0
    }
}

/// Finds the header among the first `HEADER_SCAN_ROWS` rows (as display text) by what the
/// headers alone say, then maps its columns with the data rows below it as evidence too. A
/// two-row header wins only when it maps more columns than either of its rows alone.
pub fn locate_header(ctx: &Context<'_>, rows: &[Vec<String>]) -> Option<Header> {
    let scan = &rows[..rows.len().min(HEADER_SCAN_ROWS)];
    // A row whose headers name two fields but not the person still heads the table when
    // the values below it do (an ID column under `列2`, names under `受助人/单位名称`).
    let score_at = |row: usize, cells: &[HeaderCell]| {
        // A row holding an ID or a date is data, never (part of) a header, however many
        // keywords its cells happen to contain (`在保`).
        if is_data(&scan[row])
            || (row > 0 && cells.iter().any(|c| c.tries.len() > 1) && is_data(&scan[row - 1]))
        {
            return 0;
        }
        let columns = recognise(ctx, cells, &[]);
        let s = score(&columns);
        if s > 0 || columns.len() < 2 {
            return s;
        }
        let with_content = recognise(ctx, cells, &sample_below(rows, row));
        if with_content.iter().any(|c| IDENTITY.contains(&c.field)) {
            columns.len()
        } else {
            0
        }
    };
    let singles: Vec<usize> = (0..scan.len())
        .map(|i| score_at(i, &single_row(&scan[i])))
        .collect();
    let mut best: Option<(usize, usize, Vec<HeaderCell>)> = None;
    let mut consider = |s: usize, row: usize, cells: Vec<HeaderCell>| {
        if s > 0 && best.as_ref().is_none_or(|(b, _, _)| s > *b) {
            best = Some((s, row, cells));
        }
    };
    for i in 0..scan.len() {
        let single = singles[i];
        if let Some(next) = scan.get(i + 1) {
            let cells = two_rows(&scan[i], next);
            let pair_score = score_at(i + 1, &cells);
            if pair_score > single && pair_score > singles[i + 1] {
                consider(pair_score, i + 1, cells);
            }
        }
        consider(single, i, single_row(&scan[i]));
    }
    let (_, row, cells) = best?;
    let columns = recognise(ctx, &cells, &sample_below(rows, row));
    let unused = cells
        .iter()
        .enumerate()
        .filter(|(i, cell)| !cell.shown.is_empty() && !columns.iter().any(|c| c.index == *i))
        .map(|(_, cell)| cell.shown.clone())
        .collect();
    let width = cells
        .iter()
        .rposition(|c| !c.shown.is_empty())
        .map_or(0, |i| i + 1);
    Some(Header {
        row,
        columns,
        unused,
        width,
    })
}

fn is_data(row: &[String]) -> bool {
    row.iter()
        .any(|c| looks_like_id(c.trim()) || looks_like_date(c.trim()))
}

/// The non-blank rows below a header candidate, at most `SAMPLE_ROWS`.
fn sample_below(rows: &[Vec<String>], row: usize) -> Vec<&[String]> {
    rows[row + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .take(SAMPLE_ROWS)
        .map(Vec::as_slice)
        .collect()
}

/// What a row below the header is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowClass {
    Blank,
    /// 合计 / 总计 / 小计.
    Totals,
    /// 制表人, 审核人, 填表人 … under the table.
    Footer,
    Data,
}

const TOTALS: Words<3> = Words::new(["合计", "总计", "小计"]);
const FOOTERS: Words<9> = Words::new([
    "制表人",
    "审核人",
    "填表人",
    "填报人",
    "制表日期",
    "填表日期",
    "填报日期",
    "单位负责人",
    "负责人",
]);

pub fn classify<R: Row + ?Sized>(row: &R) -> RowClass {
    let mut seen = 0;
    for col in 0..row.width() {
        let text = match row.cell(col) {
            Cell::Empty => continue,
            Cell::Text(t) => t,
            _ => {
                seen += 1;
                continue;
            }
        };
        if seen == 0 && starts_with_any_spaced(text, &FOOTERS) {
            return RowClass::Footer;
        }
        if seen < 2 && starts_with_any_spaced(text, &TOTALS) {
            return RowClass::Totals;
        }
        seen += 1;
        if seen >= 2 {
            return RowClass::Data;
        }
    }
    if seen == 0 {
        RowClass::Blank
    } else {
        RowClass::Data
    }
}

/// `text` starts with one of `words` once spaces are ignored (`合 计`), without allocating:
/// this runs for every row, whose first cell seldom starts like any of the words. First
/// characters are compared as `char`s: `str::starts_with(char)` is a `memcmp` call per
/// word, 0.28 cpu-s over the 2.35 M rows of a 600,000-resident county.
fn starts_with_any_spaced<const N: usize>(text: &str, words: &Words<N>) -> bool {
    let Some(first) = text.chars().find(|c| !c.is_whitespace()) else {
        return false;
    };
    (words.words.iter().zip(words.firsts)).any(|(w, c)| c == first && starts_with_spaced(text, w))
}

/// Words and their first characters, decoded once when compiled: a county's millions of
/// rows compare their first cells' first character with them.
pub(crate) struct Words<const N: usize> {
    words: [&'static str; N],
    firsts: [char; N],
}

impl<const N: usize> Words<N> {
    const fn new(words: [&'static str; N]) -> Words<N> {
        let mut firsts = ['\0'; N];
        let mut i = 0;
        while i < N {
            firsts[i] = first_char(words[i]);
            i += 1;
        }
        Words { words, firsts }
    }
}

/// The first character of a non-empty word, decoded from its UTF-8 bytes.
const fn first_char(word: &str) -> char {
    let b = word.as_bytes();
    const fn tail(b: &[u8], i: usize) -> u32 {
        (b[i] & 0x3f) as u32
    }
    let code = match b[0] {
        0x00..=0x7f => b[0] as u32,
        0xc0..=0xdf => ((b[0] & 0x1f) as u32) << 6 | tail(b, 1),
        0xe0..=0xef => ((b[0] & 0x0f) as u32) << 12 | tail(b, 1) << 6 | tail(b, 2),
        _ => ((b[0] & 0x07) as u32) << 18 | tail(b, 1) << 12 | tail(b, 2) << 6 | tail(b, 3),
    };
    match char::from_u32(code) {
        Some(c) => c,
        None => panic!("a word starts with a character"),
    }
}

fn starts_with_spaced(text: &str, word: &str) -> bool {
    let mut chars = text.chars().filter(|c| !c.is_whitespace());
    word.chars().all(|w| chars.next() == Some(w))
}

/// Turns the rows below a header into records and rejects, reusing one column→field index.
pub struct TableReader<'a> {
    kind: SourceKind,
    /// Shared by every record of the table (`SourceRef`); its sheet is set only when the
    /// workbook has several data sheets.
    origin: Arc<SourceFile>,
    columns: Vec<Column>,
    /// Per column: a parse failure rejects the row (the kind needs the field).
    required: Vec<bool>,
    limits: &'a InputLimits,
    /// The text was decoded with replacement characters: a row holding one is rejected.
    pub reject_undecodable: bool,
    header_width: usize,
    pub records: RowPiece,
    pub rejects: Vec<Reject>,
    pub report: SheetReport,
}

impl<'a> TableReader<'a> {
    pub fn new(
        kind: SourceKind,
        file: &'a str,
        sheet: Option<String>,
        ref_sheet: Option<String>,
        header: Header,
        header_row: u32,
        limits: &'a InputLimits,
    ) -> Self {
        let needed = result_fields(kind);
        let required = header
            .columns
            .iter()
            .map(|c| {
                c.field != Field::IdNumber
                    && needed.iter().any(|need| need.fields.contains(&c.field))
            })
            .collect();
        let mapping: Vec<MappedColumn> = header
            .columns
            .iter()
            .map(|c| MappedColumn {
                field: c.field,
                column: c.index,
                header: c.header.clone(),
                evidence: c.evidence.clone(),
            })
            .collect();
        let origin = SourceFile::shared(file, ref_sheet.map(Arc::from));
        let report = SheetReport {
            sheet,
            header_row,
            gaps: super::gaps(kind, &mapping),
            mapping,
            unused_headers: header.unused,
            ..SheetReport::default()
        };
        TableReader {
            kind,
            records: RowPiece::new(kind, origin.clone()),
            origin,
            columns: header.columns,
            required,
            limits,
            reject_undecodable: false,
            header_width: header.width,
            rejects: Vec::new(),
            report,
        }
    }

    /// Room for `rows` more rows holding at most `text` bytes of cell text.
    pub fn reserve(&mut self, rows: usize, text: usize) {
        self.records.reserve(rows, rows * self.columns.len(), text);
    }

    /// A reader of the same table for another stretch of its rows (read in parallel):
    /// same columns, nothing read yet.
    pub fn fork(&self) -> TableReader<'a> {
        TableReader {
            kind: self.kind,
            origin: self.origin.clone(),
            columns: self.columns.clone(),
            required: self.required.clone(),
            limits: self.limits,
            reject_undecodable: self.reject_undecodable,
            header_width: self.header_width,
            records: RowPiece::new(self.kind, self.origin.clone()),
            rejects: Vec::new(),
            report: SheetReport::default(),
        }
    }

    /// Counts what a fork read, and takes its rejects in order after this reader's; returns
    /// its rows, which the caller keeps as a piece of their own.
    pub fn absorb(&mut self, part: TableReader<'_>) -> RowPiece {
        self.rejects.extend(part.rejects);
        let (mine, theirs) = (&mut self.report, part.report);
        mine.rows_read += theirs.rows_read;
        mine.rows_rejected += theirs.rows_rejected;
        mine.rows_skipped += theirs.rows_skipped;
        mine.cells_dropped += theirs.cells_dropped;
        mine.rows_wider_than_header += theirs.rows_wider_than_header;
        part.records
    }

    /// Rejects a data row for a reason found by the reader (e.g. an over-long line).
    pub fn reject(&mut self, row: u32, reason: String) {
        self.report.rows_read += 1;
        self.report.rows_rejected += 1;
        self.rejects.push(Reject {
            file: self.origin.file.to_string(),
            sheet: self.origin.sheet.as_deref().map(str::to_string),
            row: Some(row),
            kind: Some(self.kind),
            reason,
        });
    }

    pub fn push<R: Row + ?Sized>(&mut self, row_no: u32, row: &R) {
        match classify(row) {
            RowClass::Data => {}
            _ => {
                self.report.rows_skipped += 1;
                return;
            }
        }
        let width = match self.check_bounds(row) {
            Ok(width) => width,
            Err(reason) => {
                self.reject(row_no, reason);
                return;
            }
        };
        // Cells right of the header have no column to belong to: counted, not lost silently.
        if width > self.header_width {
            self.report.rows_wider_than_header += 1;
        }
        if self.reject_undecodable
            && (0..row.width()).any(|c| match row.cell(c) {
                Cell::Text(t) => t.contains(char::REPLACEMENT_CHARACTER),
                _ => false,
            })
        {
            self.reject(row_no, undecodable_row());
            return;
        }
        // The cells go straight into the piece; a rejected row's are discarded again.
        let mut dropped = 0;
        for (column, required) in self.columns.iter().zip(&self.required) {
            match type_cell(row.cell(column.index), column.field) {
                Ok(Some(value)) => self.records.push_cell(column.field, &value),
                Ok(None) => {}
                Err(e) if *required => {
                    self.records.discard_row();
                    self.reject(row_no, e.reason(&column.header));
                    return;
                }
                Err(_) => dropped += 1,
            }
        }
        if !self
            .records
            .unfinished_fields()
            .any(|f| IDENTITY.contains(&f))
        {
            self.records.discard_row();
            self.reject(
                row_no,
                tr!(
                    "没有姓名、身份证号或残疾人证号",
                    "no name, resident ID or disability certificate number"
                ),
            );
            return;
        }
        self.report.rows_read += 1;
        self.report.cells_dropped += dropped;
        self.records.finish_row(row_no);
    }

    /// The row's width (its last non-empty cell's position + 1), or why it is refused.
    fn check_bounds<R: Row + ?Sized>(&self, row: &R) -> Result<usize, String> {
        let mut width = 0;
        for col in 0..row.width() {
            let cell = row.cell(col);
            if cell.is_empty() {
                continue;
            }
            width = col + 1;
            if let Cell::Text(t) = cell {
                if t.len() > self.limits.max_cell_chars
                    && t.chars().count() > self.limits.max_cell_chars
                {
                    let header = self.columns.iter().find(|c| c.index == col).map_or_else(
                        || tr!("第 {} 列", "column {}", col + 1),
                        |c| c.header.clone(),
                    );
                    return Err(tr!(
                        "{header} 单元格超过 {} 字",
                        "a {header} cell has more than {} characters",
                        self.limits.max_cell_chars
                    ));
                }
            }
        }
        if width > self.limits.max_columns {
            return Err(tr!(
                "该行有 {width} 列，超过上限 {} 列",
                "the row has {width} columns, more than the limit of {}",
                self.limits.max_columns
            ));
        }
        Ok(width)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::recognise::Vocabulary;
    use super::*;

    #[test]
    fn words_know_their_first_characters() {
        assert_eq!(TOTALS.firsts, ['合', '总', '小']);
        assert_eq!(
            Words::new(["a", "é", "中文", "😀"]).firsts,
            ['a', 'é', '中', '😀']
        );
        assert!(starts_with_any_spaced("合 计", &TOTALS));
        assert!(starts_with_any_spaced(" 单位负责人：王", &FOOTERS));
        assert!(!starts_with_any_spaced("合作社", &TOTALS));
    }

    fn locate(
        kind: SourceKind,
        rows: &[Vec<String>],
        overrides: &BTreeMap<Field, String>,
    ) -> Option<Header> {
        let vocabulary = Vocabulary::default();
        let ctx = Context {
            kind,
            overrides,
            vocabulary: &vocabulary,
        };
        locate_header(&ctx, rows)
    }

    fn rows(lines: &[&[&str]]) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    fn mapping(h: &Header) -> Vec<(usize, Field)> {
        h.columns.iter().map(|c| (c.index, c.field)).collect()
    }

    #[test]
    fn header_below_title_unit_line_and_blank_row() {
        let head = rows(&[
            &["XX县2021年登记失业人员花名册", "", "", ""],
            &["填报单位：XX县人社局", "", "", ""],
            &["", "", "", ""],
            &["序号", "姓名", "公民身份号码", "状态"],
            &["1", "张三", "410123199001011234", "登记失业"],
        ]);
        let h = locate(SourceKind::Unemployment, &head, &BTreeMap::new()).unwrap();
        assert_eq!(h.row, 3);
        assert_eq!(
            mapping(&h),
            vec![
                (1, Field::Name),
                (2, Field::IdNumber),
                (3, Field::EmploymentStatus)
            ]
        );
    }

    #[test]
    fn status_means_what_the_kind_means() {
        let head = rows(&[&["姓名", "身份证号", "状态"]]);
        let field = |kind| locate(kind, &head, &BTreeMap::new()).unwrap().columns[2].field;
        assert_eq!(field(SourceKind::Unemployment), Field::EmploymentStatus);
        assert_eq!(field(SourceKind::Dibao), Field::RollStatus);
        assert_eq!(field(SourceKind::Hotline), Field::HandlingStatus);
    }

    #[test]
    fn head_name_only_when_a_separate_name_column_exists() {
        let with_member = rows(&[&["户主姓名", "成员姓名", "身份证号"]]);
        let h = locate(SourceKind::Dibao, &with_member, &BTreeMap::new()).unwrap();
        assert_eq!(
            mapping(&h),
            vec![(1, Field::Name), (2, Field::IdNumber), (0, Field::HeadName)]
        );
        let alone = rows(&[&["户主姓名", "身份证号", "保障状态"]]);
        let h = locate(SourceKind::Dibao, &alone, &BTreeMap::new()).unwrap();
        assert_eq!(h.columns[0].field, Field::Name);
        assert_eq!(h.columns[0].index, 0);
    }

    #[test]
    fn two_row_header_with_parent_groups() {
        let head = rows(&[
            &["困境儿童名册", "", "", "", "", "", "", ""],
            &[
                "序号",
                "儿童姓名",
                "身份证号",
                "父亲信息",
                "",
                "",
                "母亲信息",
                "",
            ],
            &["", "", "", "姓名", "身份证号", "状况", "姓名", "状况"],
            &[
                "1",
                "李小明",
                "410123201001011234",
                "李大",
                "",
                "死亡",
                "王芳",
                "失联",
            ],
        ]);
        let h = locate(SourceKind::Children, &head, &BTreeMap::new()).unwrap();
        assert_eq!(h.row, 2);
        assert_eq!(
            mapping(&h),
            vec![
                (1, Field::Name),
                (2, Field::IdNumber),
                (3, Field::FatherName),
                (4, Field::FatherId),
                (5, Field::FatherStatus),
                (6, Field::MotherName),
                (7, Field::MotherStatus),
            ]
        );
        assert_eq!(h.columns[2].header, "父亲信息/姓名");
    }

    #[test]
    fn overrides_win_and_units_are_ignored() {
        let head = rows(&[&["姓名", "证件号", "自付金额(元)", "结算日期"]]);
        let mut overrides = BTreeMap::new();
        overrides.insert(Field::OutOfPocket, "自付金额（元）".to_string());
        let h = locate(SourceKind::Medical, &head, &overrides).unwrap();
        assert_eq!(
            mapping(&h),
            vec![
                (0, Field::Name),
                (1, Field::IdNumber),
                (3, Field::SettlementDate),
                (2, Field::OutOfPocket)
            ]
        );
        let units = rows(&[&["姓名", "个人自付(元)"]]);
        let h = locate(SourceKind::Medical, &units, &BTreeMap::new()).unwrap();
        assert_eq!(h.columns[1].field, Field::OutOfPocket);
    }

    #[test]
    fn instructions_sheet_has_no_header() {
        let head = rows(&[
            &["填表说明"],
            &["1. 姓名：填写身份证上的姓名"],
            &["2. 身份证号：18位"],
        ]);
        assert_eq!(locate(SourceKind::Medical, &head, &BTreeMap::new()), None);
    }

    struct Cells(Vec<&'static str>);

    impl Row for Cells {
        fn width(&self) -> usize {
            self.0.len()
        }
        fn cell(&self, col: usize) -> Cell<'_> {
            self.0.get(col).map_or(Cell::Empty, |s| Cell::text(s))
        }
    }

    fn record(cells: &[&'static str]) -> Cells {
        Cells(cells.to_vec())
    }

    #[test]
    fn totals_footers_and_blanks_are_classified() {
        assert_eq!(classify(&record(&["合计", "", "52310"])), RowClass::Totals);
        assert_eq!(classify(&record(&["", "总 计", "1"])), RowClass::Totals);
        assert_eq!(
            classify(&record(&["制表人：王五", "", "审核人：赵六"])),
            RowClass::Footer
        );
        assert_eq!(classify(&record(&["", " ", ""])), RowClass::Blank);
        assert_eq!(classify(&record(&["1", "张三", "合计"])), RowClass::Data);
    }

    #[test]
    fn rows_become_records_or_rejects() {
        let head = rows(&[&["姓名", "身份证号", "结算日期", "医疗总费用", "个人自付"]]);
        let header = locate(SourceKind::Medical, &head, &BTreeMap::new()).unwrap();
        let limits = InputLimits {
            max_columns: 6,
            ..InputLimits::default()
        };
        let mut reader = TableReader::new(
            SourceKind::Medical,
            "医保.csv",
            None,
            None,
            header,
            1,
            &limits,
        );
        reader.push(
            2,
            &record(&["张三", "410123199001011234", "2021/3/5", "x", "1,200元"]),
        );
        reader.push(3, &record(&["李四", "", "abc", "10", "5"]));
        reader.push(4, &record(&["", "", "2021-03-05", "10", "5"]));
        reader.push(5, &record(&["王五", "", "", "", "", "", "", "多"]));
        reader.push(6, &record(&["合计", "", "", "", "1205"]));
        assert_eq!(reader.records.len(), 1);
        let r = reader.records.row(0).unwrap();
        assert_eq!(r.source().to_string(), "医保.csv#2");
        assert_eq!(r.amount(Field::OutOfPocket), Some(1200.0));
        assert_eq!(r.get(Field::TotalCost), None);
        let reasons: Vec<(Option<u32>, &str)> = reader
            .rejects
            .iter()
            .map(|r| (r.row, r.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (Some(3), "结算日期 \"abc\" 不是有效日期"),
                (Some(4), "没有姓名、身份证号或残疾人证号"),
                (Some(5), "该行有 8 列，超过上限 6 列"),
            ]
        );
        assert_eq!(reader.report.rows_read, 4);
        assert_eq!(reader.report.rows_rejected, 3);
        assert_eq!(reader.report.cells_dropped, 1);
        assert_eq!(reader.report.rows_skipped, 1);
    }
}
