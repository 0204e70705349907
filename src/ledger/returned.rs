//! What the three kinds of returned workbook have in common — the township list (核查结果),
//! the 待复核 list (复核结论) and the 县抽查清单 (抽查结果): a key, a choice from a drop-down,
//! who filled it in and when, a note. One reader finds those columns, one check says what
//! is wrong with a choice and its signature, and one rule rejects the rows of an import
//! that say different things of one key.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use chrono::NaiveDate;

use super::review::{file_name, row_reject, WrittenDate};
use crate::config::InputLimits;
use crate::ingest::{self, Cell};
use crate::lang::pick;
use crate::model::Reject;
use crate::tr;

/// The headers of a list's key and filled-in columns.
pub struct FilledHeaders {
    pub key: &'static str,
    pub choice: &'static str,
    pub signer: &'static str,
    pub date: &'static str,
    pub note: &'static str,
}

/// One data row of a returned list, as read (not yet checked).
#[derive(Debug, Clone, PartialEq)]
pub struct FilledRow {
    /// File name as the clerk sees it.
    pub file: String,
    /// Physical 1-based row (the header is row 1).
    pub row: u32,
    pub key: Option<String>,
    pub choice: Option<String>,
    pub signer: Option<String>,
    pub date: Option<WrittenDate>,
    pub note: Option<String>,
}

/// The choice, signer, date (the day, or the text when it is none) and note of a row.
pub type Written<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<Result<NaiveDate, &'a str>>,
    Option<&'a str>,
);

impl FilledRow {
    /// Nothing of the filled-in columns is written: not yet answered, not an error.
    pub fn is_untouched(&self) -> bool {
        self.choice.is_none() && self.signer.is_none() && self.date.is_none()
    }
}

/// Reads the first sheet of a returned file as a list with `headers`: `None` when its first
/// row used does not hold the key and choice headers (another kind of list), or when the
/// file cannot be read (the township import reads it again and says why).
pub fn read_filled(path: &Path, headers: &FilledHeaders) -> Option<(Vec<FilledRow>, Vec<Reject>)> {
    let file = file_name(path);
    let limits = InputLimits::default();
    let grids = ingest::read_grids(&file, path, &limits, b',').ok()?;
    let grid = grids.into_iter().next()?.ok()?;
    // Key, choice, signer, date, note.
    let mut columns: Option<[Option<usize>; 5]> = None;
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    grid.for_each_row(&limits, |row, cells| {
        let blank = |cells: &[Cell<'_>]| cells.iter().all(Cell::is_empty);
        match (&columns, cells) {
            (None, Ok(cells)) if blank(cells) => ControlFlow::Continue(()),
            (None, Ok(cells)) => {
                let at = |h: &str| cells.iter().position(|x| x.display().trim() == h);
                let found = [
                    at(headers.key),
                    at(headers.choice),
                    at(headers.signer),
                    at(headers.date),
                    at(headers.note),
                ];
                if found[0].is_some() && found[1].is_some() {
                    columns = Some(found);
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            }
            (None, Err(_)) => ControlFlow::Break(()),
            (Some(_), Err(reason)) => {
                rejects.push(row_reject(&file, row, reason));
                ControlFlow::Continue(())
            }
            (Some(_), Ok(cells)) if blank(cells) => ControlFlow::Continue(()),
            (Some([key, choice, signer, date, note]), Ok(cells)) => {
                let get = |col: &Option<usize>| {
                    col.and_then(|i| cells.get(i))
                        .copied()
                        .filter(|c| !c.is_empty())
                };
                let text = |col: &Option<usize>| get(col).map(|c| c.display().trim().to_string());
                rows.push(FilledRow {
                    file: file.clone(),
                    row,
                    key: text(key),
                    choice: text(choice),
                    signer: text(signer),
                    date: get(date).map(|c| WrittenDate {
                        text: c.display(),
                        date: ingest::cell_date(c),
                    }),
                    note: text(note),
                });
                ControlFlow::Continue(())
            }
        }
    });
    columns.map(|_| (rows, rejects))
}

/// A row of a returned list as the conflict rule sees it.
pub trait Returned {
    type Written<'a>: PartialEq
    where
        Self: 'a;
    fn key(&self) -> Option<&str>;
    fn written(&self) -> Self::Written<'_>;
    fn reference(&self) -> String;
}

impl Returned for FilledRow {
    type Written<'a> = Written<'a>;
    fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }
    fn written(&self) -> Written<'_> {
        (
            self.choice.as_deref(),
            self.signer.as_deref(),
            self.date.as_ref().map(|d| d.date.ok_or(d.text.as_str())),
            self.note.as_deref(),
        )
    }
    fn reference(&self) -> String {
        format!("{}#{}", self.file, self.row)
    }
}

/// Rows of one import that say different things of one key: which one was meant cannot be
/// told, so each is rejected, naming the others (`reason(key, others)`). Identical rows are
/// no conflict. Keyed by index into `rows`.
pub fn conflicts<R: Returned>(
    rows: &[&R],
    reason: impl Fn(&str, &str) -> String,
) -> BTreeMap<usize, String> {
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(key) = row.key() {
            by_key.entry(key).or_default().push(i);
        }
    }
    let mut out = BTreeMap::new();
    for (key, group) in by_key {
        let first = rows[group[0]].written();
        if group.iter().all(|&i| rows[i].written() == first) {
            continue;
        }
        for &i in &group {
            let others: Vec<String> = group
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| rows[j].reference())
                .collect();
            out.insert(i, reason(key, &others.join(pick("、", ", "))));
        }
    }
    out
}

/// The choice of a drop-down column, or why it is none.
pub fn choice<T>(
    written: Option<&str>,
    column: &str,
    parse: impl Fn(&str) -> Option<T>,
    labels: &[&str],
    problems: &mut Vec<String>,
) -> Option<T> {
    let Some(text) = written else {
        problems.push(tr!("{column}为空", "{column} is empty"));
        return None;
    };
    let choice = parse(text);
    if choice.is_none() {
        problems.push(tr!(
            "{column}「{text}」不是可选项 ({})",
            "{column} \"{text}\" is not one of the choices ({})",
            labels.join("/")
        ));
    }
    choice
}

/// Who filled a row in and the day: both are part of the record, so a choice nobody signed
/// or dated is not taken. The day must be readable and not after `today`.
pub fn signed_on(
    row: &FilledRow,
    headers: &FilledHeaders,
    today: NaiveDate,
    problems: &mut Vec<String>,
) -> Option<NaiveDate> {
    if row.signer.is_none() {
        problems.push(tr!("{}为空", "{} is empty", headers.signer));
    }
    match &row.date {
        None => {
            problems.push(tr!("{}为空", "{} is empty", headers.date));
            None
        }
        Some(WrittenDate { text, date: None }) => {
            problems.push(tr!(
                "{}「{text}」无法识别",
                "{} \"{text}\" is not understood",
                headers.date
            ));
            None
        }
        Some(WrittenDate {
            date: Some(date), ..
        }) if *date > today => {
            problems.push(tr!(
                "{} {date} 晚于今天 {today}",
                "{} {date} is later than today {today}",
                headers.date
            ));
            None
        }
        Some(WrittenDate { date, .. }) => *date,
    }
}
