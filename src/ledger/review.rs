//! `review`: read the township workbooks returned with 核查结果/核查人/核查日期/备注 filled in,
//! check every row against the ledger, and record the valid outcomes in one transaction.
//! A bad row never stops the import: it is rejected with its file, row and reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use chrono::NaiveDate;
use rusqlite::params;

use super::{
    date_text, parse_date, parse_status, Ledger, LedgerError, LedgerStatus, RectificationKind,
    SqlContext,
};
use crate::config::Township;
use crate::model::{ListColumn, Reject, ReviewOutcome};

/// A cell of a returned workbook: text, or a date Excel stored as a date.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Date(d) => date_text(*d),
        }
    }
}

/// One data row of a returned workbook, as read (not yet checked).
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnedRow {
    /// File name as the clerk sees it.
    pub file: String,
    /// Physical 1-based row (the header is row 1).
    pub row: u32,
    pub clue_id: Option<String>,
    pub township: Option<String>,
    pub outcome: Option<String>,
    pub reviewer: Option<String>,
    pub review_date: Option<Cell>,
    pub note: Option<String>,
}

/// What an import did: counts for the summary line and every rejected row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub files: usize,
    /// Data rows read (blank rows excluded).
    pub rows: usize,
    /// Outcomes recorded in the ledger.
    pub recorded: usize,
    /// Rows with a blank 核查结果: not yet verified (also listed as rejects).
    pub not_verified: usize,
    pub rejects: Vec<Reject>,
}

/// The returned files named on the command line: files as given, folders expanded to the
/// `.xlsx` and `.csv` files directly inside them (Excel lock files and hidden files skipped).
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Reject>) {
    let mut files = Vec::new();
    let mut rejects = Vec::new();
    for path in paths {
        if path.is_dir() {
            match std::fs::read_dir(path) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.is_file() && is_returned_file(p))
                        .collect();
                    found.sort();
                    files.extend(found);
                }
                Err(e) => rejects.push(file_reject(path, format!("无法读取文件夹: {e}"))),
            }
        } else if !path.exists() {
            rejects.push(file_reject(path, "文件不存在".into()));
        } else if extension(path).is_none() {
            rejects.push(file_reject(
                path,
                "不支持的文件类型, 只接受 .xlsx 或 .csv".into(),
            ));
        } else {
            files.push(path.clone());
        }
    }
    (files, rejects)
}

fn is_returned_file(path: &Path) -> bool {
    let name = file_name(path);
    !name.starts_with("~$") && !name.starts_with('.') && extension(path).is_some()
}

fn extension(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" => Some("xlsx"),
        "csv" => Some("csv"),
        _ => None,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn file_reject(path: &Path, reason: String) -> Reject {
    Reject {
        file: file_name(path),
        sheet: None,
        row: None,
        kind: None,
        reason,
    }
}

fn row_reject(file: &str, row: u32, reason: String) -> Reject {
    Reject {
        file: file.to_string(),
        sheet: None,
        row: Some(row),
        kind: None,
        reason,
    }
}

/// Reads the data rows of one returned `.xlsx` or `.csv` (UTF-8, BOM allowed). The header
/// row is row 1 and must hold 线索编号 and 核查结果; a file that cannot be read is one reject.
pub fn read_returned(path: &Path) -> Result<Vec<ReturnedRow>, Reject> {
    let table = match extension(path) {
        Some("xlsx") => read_xlsx(path),
        Some("csv") => read_csv(path),
        _ => Err("不支持的文件类型, 只接受 .xlsx 或 .csv".to_string()),
    }
    .map_err(|reason| file_reject(path, reason))?;
    let file = file_name(path);
    let Some((header, rows)) = table.split_first() else {
        return Err(file_reject(path, "文件为空".into()));
    };
    let column = |column: ListColumn| {
        header.1.iter().position(|c| {
            c.as_ref()
                .map(|c| c.text().trim() == column.header())
                .unwrap_or(false)
        })
    };
    let (Some(clue_col), Some(outcome_col)) =
        (column(ListColumn::ClueId), column(ListColumn::Outcome))
    else {
        return Err(file_reject(
            path,
            format!(
                "第1行未找到表头 {} 和 {}",
                ListColumn::ClueId,
                ListColumn::Outcome
            ),
        ));
    };
    let (township_col, reviewer_col, date_col, note_col) = (
        column(ListColumn::Township),
        column(ListColumn::Reviewer),
        column(ListColumn::ReviewDate),
        column(ListColumn::Note),
    );
    let mut out = Vec::new();
    for (row, cells) in rows {
        let get = |col: Option<usize>| col.and_then(|c| cells.get(c).cloned().flatten());
        let text = |col: Option<usize>| get(col).map(|c| c.text());
        let returned = ReturnedRow {
            file: file.clone(),
            row: *row,
            clue_id: text(Some(clue_col)),
            township: text(township_col),
            outcome: text(Some(outcome_col)),
            reviewer: text(reviewer_col),
            review_date: get(date_col),
            note: text(note_col),
        };
        if cells.iter().any(Option::is_some) {
            out.push(returned);
        }
    }
    Ok(out)
}

/// A table as (physical row, cells); empty cells are `None`, text is trimmed.
type Table = Vec<(u32, Vec<Option<Cell>>)>;

fn read_xlsx(path: &Path) -> Result<Table, String> {
    let mut workbook = open_workbook_auto(path).map_err(|e| format!("无法打开工作簿: {e}"))?;
    let mut first = None;
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| format!("无法读取工作表 {name}: {e}"))?;
        let Some((start_row, start_col)) = range.start() else {
            continue;
        };
        let table: Table = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                // Pad leading columns so that column indices are physical.
                let mut row = vec![None; start_col as usize];
                row.extend(cells.iter().map(xlsx_cell));
                (start_row + i as u32 + 1, row)
            })
            .collect();
        let has_header = table.first().is_some_and(|(_, cells)| {
            cells
                .iter()
                .flatten()
                .any(|c| c.text().trim() == ListColumn::ClueId.header())
        });
        if has_header {
            return Ok(table);
        }
        first.get_or_insert(table);
    }
    Ok(first.unwrap_or_default())
}

fn xlsx_cell(data: &Data) -> Option<Cell> {
    let text = match data {
        Data::Empty | Data::Error(_) => return None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            // Excel serial days since 1899-12-30 (the 1900 leap-year bug is before 1900-03).
            let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
            return epoch
                .checked_add_days(chrono::Days::new(dt.as_f64().floor().max(0.0) as u64))
                .map(Cell::Date);
        }
    };
    (!text.is_empty()).then_some(Cell::Text(text))
}

fn read_csv(path: &Path) -> Result<Table, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("无法读取文件: {e}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut table = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("不是有效的 UTF-8 CSV 文件: {e}"))?;
        let line = record.position().map(|p| p.line() as u32).unwrap_or(0);
        let cells = record
            .iter()
            .map(|s| {
                let s = s.trim();
                (!s.is_empty()).then(|| Cell::Text(s.to_string()))
            })
            .collect();
        table.push((line, cells));
    }
    Ok(table)
}

/// Dates as clerks type them: 2021-07-05, 2021/7/5, 2021.7.5, 2021年7月5日, 20210705, with
/// or without a time after a space.
fn parse_review_date(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Date(d) => Some(*d),
        Cell::Text(s) => {
            let s = s.split_whitespace().next()?;
            ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        }
    }
}

/// A row that passed every check.
struct ValidReview {
    clue_id: String,
    outcome: ReviewOutcome,
    reviewer: Option<String>,
    review_date: NaiveDate,
    note: Option<String>,
    source: String,
}

/// What the checks need to know of a stored clue.
struct ClueFacts {
    township: Option<String>,
    first_seen: NaiveDate,
}

impl Ledger {
    /// Imports returned workbooks: reads each file, checks every row, and records all valid
    /// outcomes in one transaction. `today` bounds the 核查日期 and stamps the import.
    pub fn import_reviews(
        &mut self,
        files: &[PathBuf],
        townships: &[Township],
        today: NaiveDate,
    ) -> Result<ImportSummary, LedgerError> {
        let mut summary = ImportSummary::default();
        let mut rows = Vec::new();
        for path in files {
            summary.files += 1;
            match read_returned(path) {
                Ok(read) => rows.extend(read),
                Err(reject) => summary.rejects.push(reject),
            }
        }
        summary.rows = rows.len();
        self.record_reviews(&rows, townships, today, &mut summary)?;
        Ok(summary)
    }

    /// Checks rows already read and records the valid ones (one transaction).
    pub fn record_reviews(
        &mut self,
        rows: &[ReturnedRow],
        townships: &[Township],
        today: NaiveDate,
        summary: &mut ImportSummary,
    ) -> Result<(), LedgerError> {
        let clues = self.clue_facts()?;
        let mut valid = Vec::new();
        for row in rows {
            match check_row(row, &clues, townships, today) {
                Ok(review) => valid.push(review),
                Err(reasons) => {
                    if row.outcome.is_none() {
                        summary.not_verified += 1;
                    }
                    summary
                        .rejects
                        .push(row_reject(&row.file, row.row, reasons.join("; ")));
                }
            }
        }
        // Oldest first, so the clue ends in the state of its latest review.
        valid.sort_by_key(|r| r.review_date);
        let imported_at = date_text(today);
        let tx = self.conn.transaction().ctx("开始导入核查结果")?;
        for review in &valid {
            let current: String = tx
                .query_row(
                    "SELECT status FROM clues WHERE clue_id = ?1",
                    [&review.clue_id],
                    |r| r.get(0),
                )
                .ctx("读取线索状态")?;
            let current = parse_status(&current)?;
            let date = date_text(review.review_date);
            tx.execute(
                "INSERT INTO reviews (clue_id, outcome, reviewer, review_date, note,
                    imported_from, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    review.clue_id,
                    review.outcome.label_zh(),
                    review.reviewer,
                    date,
                    review.note,
                    review.source,
                    imported_at
                ],
            )
            .ctx("记录核查结果")?;
            let status = current.after_review(review.outcome);
            let closed_on = (status == LedgerStatus::Closed).then_some(&date);
            tx.execute(
                "UPDATE clues SET status = ?2, closed_on = ?3 WHERE clue_id = ?1",
                params![review.clue_id, status.key(), closed_on],
            )
            .ctx("更新线索状态")?;
            if let Some((kind, state)) = RectificationKind::opened_by(review.outcome) {
                tx.execute(
                    "INSERT INTO rectifications (clue_id, kind, detail, date, state)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        review.clue_id,
                        kind.label_zh(),
                        review.note,
                        date,
                        state.label_zh()
                    ],
                )
                .ctx("记录整改")?;
            }
        }
        tx.commit().ctx("提交核查结果")?;
        summary.recorded += valid.len();
        Ok(())
    }

    fn clue_facts(&self) -> Result<BTreeMap<String, ClueFacts>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT clue_id, township, first_seen FROM clues")
            .ctx("读取线索")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .ctx("读取线索")?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (id, township, first_seen) = row.ctx("读取线索")?;
            out.insert(
                id,
                ClueFacts {
                    township,
                    first_seen: parse_date(&first_seen)?,
                },
            );
        }
        Ok(out)
    }
}

/// Every problem with one row, in Chinese; a row with none becomes a review.
fn check_row(
    row: &ReturnedRow,
    clues: &BTreeMap<String, ClueFacts>,
    townships: &[Township],
    today: NaiveDate,
) -> Result<ValidReview, Vec<String>> {
    let mut problems = Vec::new();
    let clue = match &row.clue_id {
        None => {
            problems.push(format!("{}为空", ListColumn::ClueId));
            None
        }
        Some(id) => match clues.get(id) {
            Some(clue) => Some((id, clue)),
            None => {
                problems.push(format!("{} {id} 不在线索台账中", ListColumn::ClueId));
                None
            }
        },
    };
    if let Some(expected) = clue.and_then(|(_, c)| c.township.as_deref()) {
        if let Some(written) = &row.township {
            if !names_township(townships, expected, written) {
                problems.push(format!(
                    "{}「{written}」与线索所属乡镇「{expected}」不符",
                    ListColumn::Township
                ));
            }
        }
        if let Some(owner) = township_of_file(townships, &row.file) {
            if owner != expected {
                problems.push(format!("文件属于「{owner}」, 但该线索属于「{expected}」"));
            }
        }
    }
    let outcome = match &row.outcome {
        None => {
            problems.push(format!("{}为空 (尚未核查)", ListColumn::Outcome));
            None
        }
        Some(text) => {
            let outcome = ReviewOutcome::from_label(text);
            if outcome.is_none() {
                problems.push(format!(
                    "{}「{text}」不是可选项 ({})",
                    ListColumn::Outcome,
                    ReviewOutcome::LABELS.join("/")
                ));
            }
            outcome
        }
    };
    let date = match &row.review_date {
        None => {
            problems.push(format!("{}为空", ListColumn::ReviewDate));
            None
        }
        Some(cell) => match parse_review_date(cell) {
            None => {
                problems.push(format!(
                    "{}「{}」无法识别",
                    ListColumn::ReviewDate,
                    cell.text()
                ));
                None
            }
            Some(date) if date > today => {
                problems.push(format!(
                    "{} {date} 晚于今天 {today}",
                    ListColumn::ReviewDate
                ));
                None
            }
            Some(date) => match clue {
                Some((_, c)) if date < c.first_seen => {
                    problems.push(format!(
                        "{} {date} 早于线索首次发现日期 {}",
                        ListColumn::ReviewDate,
                        c.first_seen
                    ));
                    None
                }
                _ => Some(date),
            },
        },
    };
    match (clue, outcome, date) {
        (Some((id, _)), Some(outcome), Some(review_date)) if problems.is_empty() => {
            Ok(ValidReview {
                clue_id: id.clone(),
                outcome,
                reviewer: row.reviewer.clone(),
                review_date,
                note: row.note.clone(),
                source: format!("{}#{}", row.file, row.row),
            })
        }
        _ => Err(problems),
    }
}

/// Whether `written` is the canonical township `expected` or one of its aliases.
fn names_township(townships: &[Township], expected: &str, written: &str) -> bool {
    written == expected
        || townships
            .iter()
            .filter(|t| t.name == expected)
            .any(|t| t.aliases.iter().any(|a| a == written))
}

/// The township a file name names (`城关镇.xlsx`, `城关镇_已核查.csv`), longest match first.
fn township_of_file<'a>(townships: &'a [Township], file: &str) -> Option<&'a str> {
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    townships
        .iter()
        .flat_map(|t| {
            std::iter::once(&t.name)
                .chain(&t.aliases)
                .map(move |n| (n, t.name.as_str()))
        })
        .filter(|(n, _)| !n.is_empty() && stem.contains(n.as_str()))
        .max_by_key(|(n, _)| n.chars().count())
        .map(|(_, canonical)| canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn township(name: &str, aliases: &[&str]) -> Township {
        Township {
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            villages: vec![],
        }
    }

    #[test]
    fn clerk_date_forms_are_read() {
        let want = NaiveDate::from_ymd_opt(2021, 7, 5);
        for s in [
            "2021-07-05",
            "2021/7/5",
            "2021年7月5日",
            "20210705",
            "2021-07-05 00:00:00",
        ] {
            assert_eq!(parse_review_date(&Cell::Text(s.into())), want, "{s}");
        }
        assert_eq!(parse_review_date(&Cell::Text("2021-02-30".into())), None);
    }

    #[test]
    fn file_names_map_to_townships_by_longest_alias() {
        let t = [township("城关镇", &["城关"]), township("关镇乡", &[])];
        assert_eq!(township_of_file(&t, "城关镇_已核查.xlsx"), Some("城关镇"));
        assert_eq!(township_of_file(&t, "汇总.xlsx"), None);
        assert!(names_township(&t, "城关镇", "城关"));
        assert!(!names_township(&t, "城关镇", "关镇乡"));
    }
}
