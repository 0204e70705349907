//! `review`: read the township workbooks returned with 核查结果/核查人/核查日期/备注 filled in,
//! check every row against the ledger, and record the valid outcomes in one transaction.
//! A bad row never stops the import: it is rejected with its file, row and reason.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::params;

use super::returned::{self, Returned, Written};
use super::{
    date_text, parse_date, parse_outcome, parse_status, Ledger, LedgerError, LedgerStatus,
    RectificationKind, SqlContext,
};
use crate::config::{InputLimits, Township};
use crate::ingest::{self, Cell, FileError};
use crate::lang::pick;
use crate::model::{ClueReview, ListColumn, Reject, ReviewOutcome};
use crate::tr;

/// 核查日期 as the township wrote it, and the date it means when it means one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenDate {
    pub text: String,
    pub date: Option<NaiveDate>,
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
    pub review_date: Option<WrittenDate>,
    pub note: Option<String>,
}

/// What an import did: counts for the summary line and every rejected row. Every data row
/// read is one of recorded, unchanged, not filled in, or rejected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub files: usize,
    /// Data rows read (blank rows excluded).
    pub rows: usize,
    /// Outcomes recorded in the ledger.
    pub recorded: usize,
    /// Valid rows whose review the ledger already holds for that clue (imported before, or
    /// an identical row earlier in this import): not recorded again.
    pub unchanged: usize,
    /// Rows with none of 核查结果, 核查人, 核查日期 filled in (未填写): not yet verified,
    /// only counted. A row half filled in is rejected, with what is missing.
    pub not_filled: usize,
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
                Err(e) => rejects.push(file_reject(
                    path,
                    tr!("无法读取文件夹: {e}", "cannot read the folder: {e}"),
                )),
            }
        } else if !path.exists() {
            rejects.push(file_reject(path, pick("文件不存在", "no such file").into()));
        } else if extension(path).is_none() {
            rejects.push(file_reject(
                path,
                pick(
                    "不支持的文件类型, 只接受 .xlsx 或 .csv",
                    "unsupported file type: only .xlsx or .csv are accepted",
                )
                .into(),
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

pub(super) fn file_name(path: &Path) -> String {
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

pub(super) fn row_reject(file: &str, row: u32, reason: String) -> Reject {
    Reject {
        file: file.to_string(),
        sheet: None,
        row: Some(row),
        kind: None,
        reason,
    }
}

/// Reads the data rows of one returned `.xlsx` or `.csv` through ingest's readers, so a CSV
/// in any encoding ingest reads (UTF-8 with or without BOM, GB18030/GBK, UTF-16) is read.
/// The header is the first row used (of the first sheet whose first row holds 线索编号) and
/// must hold 线索编号 and 核查结果. A file that cannot be read is one reject; rows the reader
/// refuses (over-long, undecodable bytes) are returned as row rejects.
pub fn read_returned(path: &Path) -> Result<(Vec<ReturnedRow>, Vec<Reject>), Reject> {
    if extension(path).is_none() {
        return Err(file_reject(
            path,
            pick(
                "不支持的文件类型, 只接受 .xlsx 或 .csv",
                "unsupported file type: only .xlsx or .csv are accepted",
            )
            .into(),
        ));
    }
    let file = file_name(path);
    let limits = InputLimits::default();
    let grids = ingest::read_grids(&file, path, &limits, b',')
        .map_err(|e| file_reject(path, read_error(e)))?;
    let mut empty = true;
    for grid in grids {
        let grid = grid.map_err(|broken| {
            file_reject(
                path,
                tr!(
                    "无法读取工作表 {}: {}",
                    "cannot read sheet {}: {}",
                    broken.sheet,
                    broken.message
                ),
            )
        })?;
        let mut sheet = SheetReader::new(&file);
        grid.for_each_row(&limits, |row, cells| sheet.push(row, cells));
        match sheet.header {
            Header::NotYet => continue,
            Header::WithoutClueId => empty = false,
            Header::Incomplete => {
                return Err(file_reject(
                    path,
                    tr!(
                        "第1行未找到表头 {} 和 {}",
                        "row 1 lacks the headers {} and {}",
                        ListColumn::ClueId,
                        ListColumn::Outcome
                    ),
                ))
            }
            Header::Found(_) => return Ok((sheet.rows, sheet.rejects)),
        }
    }
    Err(file_reject(
        path,
        if empty {
            pick("文件为空", "the file is empty").into()
        } else {
            tr!(
                "第1行未找到表头 {} 和 {}",
                "row 1 lacks the headers {} and {}",
                ListColumn::ClueId,
                ListColumn::Outcome
            )
        },
    ))
}

/// A file-level read error in the words `review` has always used for it.
fn read_error(error: FileError) -> String {
    match error {
        FileError::Read { source, .. } => {
            tr!("无法读取文件: {source}", "cannot read the file: {source}")
        }
        FileError::Empty { .. } => pick("文件为空", "the file is empty").into(),
        FileError::Workbook { message, .. } => tr!(
            "无法打开工作簿: {message}",
            "cannot open the workbook: {message}"
        ),
        other => other.to_string(),
    }
}

/// Where the returned list's columns are (0-based).
struct Columns {
    clue_id: usize,
    outcome: usize,
    township: Option<usize>,
    reviewer: Option<usize>,
    review_date: Option<usize>,
    note: Option<usize>,
}

enum Header {
    /// No row used yet.
    NotYet,
    /// The first row used has no 线索编号: not a returned list.
    WithoutClueId,
    /// 线索编号 without 核查结果.
    Incomplete,
    Found(Columns),
}

/// Reads one sheet row by row: the header, then the data rows below it.
struct SheetReader<'a> {
    file: &'a str,
    header: Header,
    rows: Vec<ReturnedRow>,
    rejects: Vec<Reject>,
}

impl<'a> SheetReader<'a> {
    fn new(file: &'a str) -> SheetReader<'a> {
        SheetReader {
            file,
            header: Header::NotYet,
            rows: Vec::new(),
            rejects: Vec::new(),
        }
    }

    fn push(&mut self, row: u32, cells: Result<&[Cell<'_>], String>) -> ControlFlow<()> {
        let blank = |cells: &[Cell<'_>]| cells.iter().all(Cell::is_empty);
        match (&self.header, cells) {
            (Header::NotYet, Ok(cells)) if blank(cells) => ControlFlow::Continue(()),
            (Header::NotYet, Ok(cells)) => {
                self.header = header(cells);
                match self.header {
                    Header::Found(_) => ControlFlow::Continue(()),
                    _ => ControlFlow::Break(()),
                }
            }
            (Header::NotYet, Err(_)) => {
                self.header = Header::WithoutClueId;
                ControlFlow::Break(())
            }
            (Header::Found(_), Err(reason)) => {
                self.rejects.push(row_reject(self.file, row, reason));
                ControlFlow::Continue(())
            }
            (Header::Found(_), Ok(cells)) if blank(cells) => ControlFlow::Continue(()),
            (Header::Found(columns), Ok(cells)) => {
                let get = |col: Option<usize>| {
                    col.and_then(|c| cells.get(c))
                        .copied()
                        .filter(|c| !c.is_empty())
                };
                let text = |col: Option<usize>| get(col).map(|c| c.display());
                self.rows.push(ReturnedRow {
                    file: self.file.to_string(),
                    row,
                    clue_id: text(Some(columns.clue_id)),
                    township: text(columns.township),
                    outcome: text(Some(columns.outcome)),
                    reviewer: text(columns.reviewer),
                    review_date: get(columns.review_date).map(|c| WrittenDate {
                        text: c.display(),
                        date: ingest::cell_date(c),
                    }),
                    note: text(columns.note),
                });
                ControlFlow::Continue(())
            }
            (Header::WithoutClueId | Header::Incomplete, _) => ControlFlow::Break(()),
        }
    }
}

fn header(cells: &[Cell<'_>]) -> Header {
    let column = |column: ListColumn| cells.iter().position(|c| c.display() == column.header());
    match (column(ListColumn::ClueId), column(ListColumn::Outcome)) {
        (None, _) => Header::WithoutClueId,
        (Some(_), None) => Header::Incomplete,
        (Some(clue_id), Some(outcome)) => Header::Found(Columns {
            clue_id,
            outcome,
            township: column(ListColumn::Township),
            reviewer: column(ListColumn::Reviewer),
            review_date: column(ListColumn::ReviewDate),
            note: column(ListColumn::Note),
        }),
    }
}

/// A row that passed every check.
struct ValidReview {
    clue_id: String,
    review: ClueReview,
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
                Ok((read, refused)) => {
                    summary.rows += refused.len();
                    rows.extend(read);
                    summary.rejects.extend(refused);
                }
                Err(reject) => summary.rejects.push(reject),
            }
        }
        summary.rows += rows.len();
        self.record_reviews(&rows, townships, today, &mut summary)?;
        Ok(summary)
    }

    /// Checks rows already read and records the valid ones (one transaction). A review the
    /// ledger already holds for its clue is not recorded again, so importing a file twice,
    /// or a list whose carried-forward review came back unchanged, changes nothing.
    pub fn record_reviews(
        &mut self,
        rows: &[ReturnedRow],
        townships: &[Township],
        today: NaiveDate,
        summary: &mut ImportSummary,
    ) -> Result<(), LedgerError> {
        let clues = self.clue_facts()?;
        let mut recorded = self.recorded_reviews()?;
        let touched: Vec<&ReturnedRow> = rows
            .iter()
            .filter(|row| {
                let untouched = row.is_untouched();
                summary.not_filled += usize::from(untouched);
                !untouched
            })
            .collect();
        let conflicts = conflicts(&touched);
        let mut valid = Vec::new();
        for (i, row) in touched.iter().enumerate() {
            let checked = match (check_row(row, &clues, townships, today), conflicts.get(&i)) {
                (Ok(review), None) => Ok(review),
                (Ok(_), Some(conflict)) => Err(vec![conflict.clone()]),
                (Err(mut problems), Some(conflict)) => {
                    problems.push(conflict.clone());
                    Err(problems)
                }
                (Err(problems), None) => Err(problems),
            };
            match checked {
                Ok(review) => valid.push(review),
                Err(problems) => {
                    summary
                        .rejects
                        .push(row_reject(&row.file, row.row, problems.join("; ")));
                }
            }
        }
        // Oldest first, so the clue ends in the state of its latest review.
        valid.sort_by_key(|r| r.review.date);
        let imported_at = date_text(today);
        let tx = self.conn.transaction().ctx(pick(
            "开始导入核查结果",
            "starting the import of review results",
        ))?;
        for valid in &valid {
            let history = recorded.entry(valid.clue_id.clone()).or_default();
            // Already in the ledger, or an identical row earlier in this import.
            if history.contains(&valid.review) {
                summary.unchanged += 1;
                continue;
            }
            // A review dated before the clue's latest one is history, not its state.
            let latest = history.iter().all(|r| r.date <= valid.review.date);
            history.push(valid.review.clone());
            summary.recorded += 1;
            let review = &valid.review;
            let date = date_text(review.date);
            tx.execute(
                "INSERT INTO reviews (clue_id, outcome, reviewer, review_date, note,
                    imported_from, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    valid.clue_id,
                    review.outcome.label_zh(),
                    review.reviewer,
                    date,
                    review.note,
                    valid.source,
                    imported_at
                ],
            )
            .ctx(pick("记录核查结果", "recording review results"))?;
            if latest {
                let current: String = tx
                    .query_row(
                        "SELECT status FROM clues WHERE clue_id = ?1",
                        [&valid.clue_id],
                        |r| r.get(0),
                    )
                    .ctx(pick("读取线索状态", "reading clue states"))?;
                let status = parse_status(&current)?.after_review(review.outcome);
                let closed_on = (status == LedgerStatus::Closed).then_some(&date);
                tx.execute(
                    "UPDATE clues SET status = ?2, closed_on = ?3 WHERE clue_id = ?1",
                    params![valid.clue_id, status.key(), closed_on],
                )
                .ctx(pick("更新线索状态", "updating clue states"))?;
            }
            if let Some((kind, state)) = RectificationKind::opened_by(review.outcome) {
                tx.execute(
                    "INSERT INTO rectifications (clue_id, kind, detail, date, state)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        valid.clue_id,
                        kind.label_zh(),
                        review.note,
                        date,
                        state.label_zh()
                    ],
                )
                .ctx(pick("记录整改", "recording rectifications"))?;
            }
        }
        tx.commit()
            .ctx(pick("提交核查结果", "committing review results"))?;
        Ok(())
    }

    fn clue_facts(&self) -> Result<BTreeMap<String, ClueFacts>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT clue_id, township, first_seen FROM clues")
            .ctx(pick("读取线索", "reading clues"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .ctx(pick("读取线索", "reading clues"))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (id, township, first_seen) = row.ctx(pick("读取线索", "reading clues"))?;
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

    /// Every recorded review, by clue.
    fn recorded_reviews(&self) -> Result<BTreeMap<String, Vec<ClueReview>>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT clue_id, outcome, reviewer, review_date, note FROM reviews")
            .ctx(pick("读取核查结果", "reading review results"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .ctx(pick("读取核查结果", "reading review results"))?;
        let mut out: BTreeMap<String, Vec<ClueReview>> = BTreeMap::new();
        for row in rows {
            let (clue_id, outcome, reviewer, date, note) =
                row.ctx(pick("读取核查结果", "reading review results"))?;
            out.entry(clue_id).or_default().push(ClueReview {
                outcome: parse_outcome(&outcome)?,
                reviewer,
                date: parse_date(&date)?,
                note,
            });
        }
        Ok(out)
    }
}

impl ReturnedRow {
    /// No 核查结果, 核查人 or 核查日期: a clue not yet visited, not an error. 备注 alone is
    /// not a review (the lists write remarks there themselves).
    fn is_untouched(&self) -> bool {
        self.outcome.is_none() && self.reviewer.is_none() && self.review_date.is_none()
    }
}

impl Returned for ReturnedRow {
    type Written<'a> = Written<'a>;

    fn key(&self) -> Option<&str> {
        self.clue_id.as_deref()
    }

    /// What the township wrote, for comparing two rows of one clue: dates by the day they
    /// mean, so 2021/7/5 and 2021-07-05 agree.
    fn written(&self) -> Written<'_> {
        (
            self.outcome.as_deref(),
            self.reviewer.as_deref(),
            self.review_date
                .as_ref()
                .map(|d| d.date.ok_or(d.text.as_str())),
            self.note.as_deref(),
        )
    }

    fn reference(&self) -> String {
        format!("{}#{}", self.file, self.row)
    }
}

/// Rows of one import that say different things about the same clue, by index into `rows`.
fn conflicts(rows: &[&ReturnedRow]) -> BTreeMap<usize, String> {
    returned::conflicts(rows, |clue_id, others| {
        tr!(
            "{} {clue_id} 另见 {others}, 各行的{}/{}/{}/{}不一致, 请只保留一行",
            "{} {clue_id} also in {others}, and the rows' {}/{}/{}/{} differ: keep only one row",
            ListColumn::ClueId,
            ListColumn::Outcome,
            ListColumn::Reviewer,
            ListColumn::ReviewDate,
            ListColumn::Note
        )
    })
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
            problems.push(tr!("{}为空", "{} is empty", ListColumn::ClueId));
            None
        }
        Some(id) => match clues.get(id) {
            Some(clue) => Some((id, clue)),
            None => {
                problems.push(tr!(
                    "{} {id} 不在线索台账中",
                    "{} {id} is not in the clue ledger",
                    ListColumn::ClueId
                ));
                None
            }
        },
    };
    if let Some(expected) = clue.and_then(|(_, c)| c.township.as_deref()) {
        if let Some(written) = &row.township {
            if !names_township(townships, expected, written) {
                problems.push(tr!(
                    "{}「{written}」与线索所属乡镇「{expected}」不符",
                    "{} \"{written}\" is not the clue's township \"{expected}\"",
                    ListColumn::Township
                ));
            }
        }
        if let Some(owner) = township_of_file(townships, &row.file) {
            if owner != expected {
                problems.push(tr!(
                    "文件属于「{owner}」, 但该线索属于「{expected}」",
                    "the file is \"{owner}\"'s, but the clue belongs to \"{expected}\""
                ));
            }
        }
    }
    let outcome = match &row.outcome {
        None => {
            let filled: Vec<String> = [
                (ListColumn::Reviewer, row.reviewer.is_some()),
                (ListColumn::ReviewDate, row.review_date.is_some()),
            ]
            .into_iter()
            .filter(|(_, filled)| *filled)
            .map(|(column, _)| column.to_string())
            .collect();
            problems.push(tr!(
                "{}为空, 但已填写{}: 请补填{}或清空该行",
                "{} is empty, but {} is filled in: fill in {} or clear the row",
                ListColumn::Outcome,
                filled.join(pick("、", ", ")),
                ListColumn::Outcome
            ));
            None
        }
        Some(text) => {
            let outcome = ReviewOutcome::from_label(text);
            if outcome.is_none() {
                problems.push(tr!(
                    "{}「{text}」不是可选项 ({})",
                    "{} \"{text}\" is not one of the choices ({})",
                    ListColumn::Outcome,
                    ReviewOutcome::LABELS.join("/")
                ));
            }
            outcome
        }
    };
    // Who verified and when are part of the record: a result without them is not accepted.
    let missing = |column: ListColumn| match row.outcome {
        Some(_) => tr!(
            "已填写{}, 但{column}为空",
            "{} is filled in, but {column} is empty",
            ListColumn::Outcome
        ),
        None => tr!("{column}为空", "{column} is empty"),
    };
    if row.reviewer.is_none() {
        problems.push(missing(ListColumn::Reviewer));
    }
    let date = match &row.review_date {
        None => {
            problems.push(missing(ListColumn::ReviewDate));
            None
        }
        Some(written) => match written.date {
            None => {
                problems.push(tr!(
                    "{}「{}」无法识别",
                    "{} \"{}\" is not understood",
                    ListColumn::ReviewDate,
                    written.text
                ));
                None
            }
            Some(date) if date > today => {
                problems.push(tr!(
                    "{} {date} 晚于今天 {today}",
                    "{} {date} is later than today {today}",
                    ListColumn::ReviewDate
                ));
                None
            }
            Some(date) => match clue {
                Some((_, c)) if date < c.first_seen => {
                    problems.push(tr!(
                        "{} {date} 早于线索首次发现日期 {}",
                        "{} {date} is earlier than the day the clue was first found, {}",
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
        (Some((id, _)), Some(outcome), Some(date)) if problems.is_empty() => Ok(ValidReview {
            clue_id: id.clone(),
            review: ClueReview {
                outcome,
                reviewer: row.reviewer.clone(),
                date,
                note: row.note.clone(),
            },
            source: format!("{}#{}", row.file, row.row),
        }),
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

    fn read(name: &str, bytes: &[u8]) -> Result<(Vec<ReturnedRow>, Vec<Reject>), Reject> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        read_returned(&path)
    }

    #[test]
    fn csv_rows_keep_physical_lines_and_clerk_date_forms() {
        let header = ListColumn::HEADERS.join(",");
        let row = |id: &str, date: &str| format!("{id},,,,,,,,,,,,,,其他,,{date},");
        let text = [
            header,
            row("LB1", "2021-07-05"),
            String::new(),
            row("LB2", "2021/7/5"),
            row("LB3", "2021年7月5日"),
            row("LB4", "20210705"),
            row("LB5", "2021-07-05 00:00:00"),
            row("LB6", "2021-02-30"),
        ]
        .join("\r\n");
        let (rows, refused) = read("城关镇.csv", format!("\u{feff}{text}\r\n").as_bytes()).unwrap();
        assert!(refused.is_empty());
        let lines: Vec<u32> = rows.iter().map(|r| r.row).collect();
        assert_eq!(
            lines,
            [2, 4, 5, 6, 7, 8],
            "physical lines, blank line 3 skipped"
        );
        let want = NaiveDate::from_ymd_opt(2021, 7, 5);
        for r in &rows[..5] {
            assert_eq!(r.review_date.as_ref().unwrap().date, want, "{r:?}");
        }
        let bad = rows[5].review_date.as_ref().unwrap();
        assert_eq!((bad.text.as_str(), bad.date), ("2021-02-30", None));
    }

    #[test]
    fn workbook_date_cells_and_sheet_choice() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook
            .add_worksheet()
            .set_name("填表说明")
            .unwrap()
            .write_string(0, 0, "请填写核查结果")
            .unwrap();
        let sheet = workbook.add_worksheet();
        // The used range starts at row 3: rows keep their physical numbers.
        for (col, h) in ListColumn::HEADERS.iter().enumerate() {
            sheet.write_string(2, col as u16, *h).unwrap();
        }
        sheet.write_string(3, 0, "LB1").unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 7, 5).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let col = ListColumn::ReviewDate.index() as u16;
        sheet
            .write_datetime_with_format(3, col, &date, &format)
            .unwrap();
        let (rows, _) = read("a.xlsx", &workbook.save_to_buffer().unwrap()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 4);
        let written = rows[0].review_date.as_ref().unwrap();
        assert_eq!(written.text, "2021-07-05");
        assert_eq!(written.date, NaiveDate::from_ymd_opt(2021, 7, 5));
    }

    #[test]
    fn unreadable_files_keep_their_messages() {
        let reason = |name: &str, bytes: &[u8]| read(name, bytes).unwrap_err().reason;
        assert_eq!(reason("a.csv", b""), "文件为空");
        assert_eq!(reason("a.csv", b"\xEF\xBB\xBF\r\n\r\n"), "文件为空");
        assert_eq!(
            reason("a.csv", "编号,结果\n".as_bytes()),
            "第1行未找到表头 线索编号 和 核查结果"
        );
        assert_eq!(
            reason("a.csv", "线索编号,备注\n".as_bytes()),
            "第1行未找到表头 线索编号 和 核查结果"
        );
        assert!(reason("a.xlsx", b"not a workbook").starts_with("无法打开工作簿: "));
        assert_eq!(
            reason("a.txt", b"x"),
            "不支持的文件类型, 只接受 .xlsx 或 .csv"
        );
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
