//! 县重点抽查: the county draws a reproducible sample, per township, of the clues townships
//! closed (不符合条件, 无法核实, 符合条件已纳入保障), writes `县抽查清单.xlsx` with the
//! township's finding beside empty columns for its own, and `review` imports them back
//! (told apart by 抽查结果). A 不一致 reopens the clue: the next run lists it again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::params;
use sha2::{Digest, Sha256};

use super::returned::{self, FilledHeaders, FilledRow};
use super::review::{row_reject, ImportSummary};
use super::{date_text, ClueRecord, Ledger, LedgerError, LedgerStatus, SqlContext};
use crate::lang::pick;
use crate::model::{Reject, ReviewOutcome, SpotCheckColumn, SpotCheckVerdict};
use crate::ops;
use crate::report::{workbook_bytes, Cell as Out, Dropdown, Sheet, Table};
use crate::tr;

pub const SPOTCHECK_FILE: &str = "县抽查清单.xlsx";

/// Whether a township's latest review closed the clue, so that the county may check it.
fn closed_by_township(clue: &ClueRecord) -> bool {
    !clue.is_conduct()
        && clue.status != LedgerStatus::Open
        && clue.review.as_ref().is_some_and(|r| {
            matches!(
                r.outcome,
                ReviewOutcome::Included | ReviewOutcome::NotEligible | ReviewOutcome::Unverifiable
            )
        })
}

/// The order a seed draws clues in: a hash, so that the same seed draws the same clues on
/// any machine, whatever the order the ledger returns them in.
fn draw_key(seed: u64, clue_id: &str) -> [u8; 32] {
    Sha256::digest(format!("{seed}:{clue_id}").as_bytes()).into()
}

/// The 县抽查清单's key and filled-in columns.
const HEADERS: FilledHeaders = FilledHeaders {
    key: SpotCheckColumn::ClueId.header(),
    choice: SpotCheckColumn::Verdict.header(),
    signer: SpotCheckColumn::Checker.header(),
    date: SpotCheckColumn::CheckDate.header(),
    note: SpotCheckColumn::Note.header(),
};

/// A drawn check as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    id: i64,
    /// 核查日期 of the township review checked.
    review_date: NaiveDate,
    drawn_on: NaiveDate,
    result: Option<CheckResult>,
}

/// What the county recorded of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CheckResult {
    verdict: SpotCheckVerdict,
    checker: String,
    date: NaiveDate,
    note: Option<String>,
}

/// How one township's closures fared (the closing lists' 县重点抽查 sheet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpotTally {
    pub drawn: usize,
    pub checked: usize,
    pub agreed: usize,
}

impl Ledger {
    /// Draws `share` (0 to 1, at least one clue) of each township's closed clues in the
    /// order `seed` gives, records the draw, and returns the clues drawn by township.
    pub fn draw_spot_checks(
        &mut self,
        share: f64,
        seed: u64,
        today: NaiveDate,
    ) -> Result<Vec<ClueRecord>, LedgerError> {
        let mut by_township: BTreeMap<Option<String>, Vec<ClueRecord>> = BTreeMap::new();
        for clue in self.clues()?.into_iter().filter(closed_by_township) {
            by_township
                .entry(clue.township.clone())
                .or_default()
                .push(clue);
        }
        let mut drawn = Vec::new();
        for (_, mut group) in by_township {
            group.sort_by_cached_key(|c| draw_key(seed, &c.clue_id));
            let take = ((group.len() as f64 * share).ceil() as usize).clamp(1, group.len());
            let mut sample: Vec<ClueRecord> = group.into_iter().take(take).collect();
            sample.sort_by(|a, b| a.clue_id.cmp(&b.clue_id));
            drawn.extend(sample);
        }
        let tx = self
            .conn
            .transaction()
            .ctx(pick("开始记录抽查", "starting to record the spot check"))?;
        for clue in &drawn {
            let review = clue.review.as_ref().expect("a closed clue has a review");
            // Drawn again, the same closure is the same check.
            tx.execute(
                "INSERT OR IGNORE INTO spot_checks (clue_id, outcome, review_date, drawn_on)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    clue.clue_id,
                    review.outcome.label_zh(),
                    date_text(review.review_date),
                    date_text(today)
                ],
            )
            .ctx(pick("记录抽查", "recording the spot check"))?;
        }
        tx.commit()
            .ctx(pick("提交抽查", "committing the spot check"))?;
        Ok(drawn)
    }

    /// The latest drawn check of every clue.
    fn stored_checks(&self) -> Result<BTreeMap<String, Stored>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT clue_id, id, drawn_on, verdict, checker, checked_on, note, review_date
                 FROM spot_checks ORDER BY id",
            )
            .ctx(pick("读取抽查", "reading spot checks"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })
            .ctx(pick("读取抽查", "reading spot checks"))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (clue_id, id, drawn_on, verdict, checker, checked_on, note, review_date) =
                row.ctx(pick("读取抽查", "reading spot checks"))?;
            let result = match (verdict, checker, checked_on) {
                (Some(v), Some(checker), Some(d)) => Some(CheckResult {
                    verdict: SpotCheckVerdict::from_label(&v).ok_or(LedgerError::Corrupt {
                        context: pick("抽查结果", "spot-check result"),
                        detail: v,
                    })?,
                    checker,
                    date: super::parse_date(&d)?,
                    note,
                }),
                _ => None,
            };
            let drawn_on = super::parse_date(&drawn_on)?;
            out.insert(
                clue_id,
                Stored {
                    id,
                    review_date: super::parse_date(&review_date)?,
                    drawn_on,
                    result,
                },
            );
        }
        Ok(out)
    }

    /// Clues whose latest check found the township's closure 不一致, with the 核查日期 of
    /// the review it overturned: open again until a later review.
    pub(super) fn disputed(&self) -> Result<BTreeMap<String, NaiveDate>, LedgerError> {
        Ok(self
            .stored_checks()?
            .into_iter()
            .filter(|(_, s)| {
                s.result
                    .as_ref()
                    .is_some_and(|r| r.verdict == SpotCheckVerdict::Disagree)
            })
            .map(|(id, s)| (id, s.review_date))
            .collect())
    }

    /// Per clue: its latest check's tally.
    pub(super) fn spot_tallies(&self) -> Result<BTreeMap<String, SpotTally>, LedgerError> {
        Ok(self
            .stored_checks()?
            .into_iter()
            .map(|(id, s)| {
                let tally = SpotTally {
                    drawn: 1,
                    checked: usize::from(s.result.is_some()),
                    agreed: usize::from(
                        s.result
                            .is_some_and(|r| r.verdict == SpotCheckVerdict::Agree),
                    ),
                };
                (id, tally)
            })
            .collect())
    }

    /// Checks returned rows and records the valid results in one transaction: a result
    /// the ledger holds already is not recorded again; rows of one import that say
    /// different things of one clue are all rejected; a 不一致 reopens the clue.
    pub fn import_spot_checks(
        &mut self,
        read: Vec<(Vec<FilledRow>, Vec<Reject>)>,
        today: NaiveDate,
    ) -> Result<ImportSummary, LedgerError> {
        let mut summary = ImportSummary::default();
        let mut rows = Vec::new();
        for (file_rows, refused) in read {
            summary.files += 1;
            summary.rows += file_rows.len() + refused.len();
            rows.extend(file_rows);
            summary.rejects.extend(refused);
        }
        let mut stored = self.stored_checks()?;
        let touched: Vec<&FilledRow> = rows.iter().filter(|r| !r.is_untouched()).collect();
        summary.not_filled = rows.len() - touched.len();
        let conflicts = conflicts(&touched);
        let mut valid: Vec<(String, CheckResult, String)> = Vec::new();
        for (i, row) in touched.iter().enumerate() {
            let mut problems = match check(row, &stored, today) {
                Ok(result) if !conflicts.contains_key(&i) => {
                    let id = row.key.clone().expect("checked");
                    valid.push((id, result, format!("{}#{}", row.file, row.row)));
                    continue;
                }
                Ok(_) => Vec::new(),
                Err(problems) => problems,
            };
            problems.extend(conflicts.get(&i).cloned());
            summary
                .rejects
                .push(row_reject(&row.file, row.row, problems.join("; ")));
        }
        let imported_at = date_text(today);
        let tx = self.conn.transaction().ctx(pick(
            "开始导入抽查结果",
            "starting the import of spot-check results",
        ))?;
        for (clue_id, result, source) in valid {
            let check = stored.get_mut(&clue_id).expect("checked against stored");
            if check.result.as_ref() == Some(&result) {
                summary.unchanged += 1;
                continue;
            }
            tx.execute(
                "UPDATE spot_checks SET verdict = ?2, checker = ?3, checked_on = ?4, note = ?5,
                    imported_from = ?6, imported_at = ?7
                 WHERE id = ?1",
                params![
                    check.id,
                    result.verdict.label_zh(),
                    result.checker,
                    date_text(result.date),
                    result.note,
                    source,
                    imported_at
                ],
            )
            .ctx(pick("记录抽查结果", "recording spot-check results"))?;
            if result.verdict == SpotCheckVerdict::Disagree {
                tx.execute(
                    "UPDATE clues SET status = ?2, closed_on = NULL WHERE clue_id = ?1",
                    params![clue_id, LedgerStatus::Open.key()],
                )
                .ctx(pick("重新打开线索", "reopening clues"))?;
            }
            check.result = Some(result);
            summary.recorded += 1;
        }
        tx.commit()
            .ctx(pick("提交抽查结果", "committing spot-check results"))?;
        Ok(summary)
    }
}

/// Rows of one import that say different things of one clue, by index into `rows`.
fn conflicts(rows: &[&FilledRow]) -> BTreeMap<usize, String> {
    returned::conflicts(rows, |clue_id, others| {
        tr!(
            "{} {clue_id} 另见 {others}, 各行的{}/{}/{}/{}不一致, 请只保留一行",
            "{} {clue_id} also in {others}, and the rows' {}/{}/{}/{} differ: keep only one row",
            SpotCheckColumn::ClueId,
            SpotCheckColumn::Verdict,
            SpotCheckColumn::Checker,
            SpotCheckColumn::CheckDate,
            SpotCheckColumn::Note
        )
    })
}

/// Every problem with one row, in Chinese; a row with none is a result.
fn check(
    row: &FilledRow,
    stored: &BTreeMap<String, Stored>,
    today: NaiveDate,
) -> Result<CheckResult, Vec<String>> {
    let mut problems = Vec::new();
    let drawn = match &row.key {
        None => {
            problems.push(tr!("{}为空", "{} is empty", SpotCheckColumn::ClueId));
            None
        }
        Some(id) => {
            let drawn = stored.get(id);
            if drawn.is_none() {
                problems.push(tr!(
                    "{} {id} 不在县抽查清单中 (未被抽取)",
                    "{} {id} is not on the county spot-check list (not drawn)",
                    SpotCheckColumn::ClueId
                ));
            }
            drawn
        }
    };
    let verdict = if row.choice.is_none() {
        problems.push(tr!(
            "{}为空, 但已填写{}或{}",
            "{} is empty, but {} or {} is filled in",
            SpotCheckColumn::Verdict,
            SpotCheckColumn::Checker,
            SpotCheckColumn::CheckDate
        ));
        None
    } else {
        returned::choice(
            row.choice.as_deref(),
            HEADERS.choice,
            SpotCheckVerdict::from_label,
            &SpotCheckVerdict::LABELS,
            &mut problems,
        )
    };
    let date = returned::signed_on(row, &HEADERS, today, &mut problems);
    if let (Some(date), Some(d)) = (date, drawn) {
        if date < d.drawn_on {
            problems.push(tr!(
                "{} {date} 早于抽取日期 {}",
                "{} {date} is earlier than the day it was drawn, {}",
                SpotCheckColumn::CheckDate,
                d.drawn_on
            ));
        }
    }
    match (verdict, &row.signer, date) {
        (Some(verdict), Some(checker), Some(date)) if problems.is_empty() => Ok(CheckResult {
            verdict,
            checker: checker.clone(),
            date,
            note: row.note.clone(),
        }),
        _ => Err(problems),
    }
}

/// The rows of a returned 县抽查清单, or `None` when the file is not one (its first row
/// used has no 线索编号 and 抽查结果).
pub fn read_results(path: &Path) -> Option<(Vec<FilledRow>, Vec<Reject>)> {
    returned::read_filled(path, &HEADERS)
}

/// Writes `县抽查清单.xlsx` into `outbox` (owner-only, atomically) and returns its path.
pub fn write_spot_checks(drawn: &[ClueRecord], outbox: &Path) -> Result<PathBuf, LedgerError> {
    let path = outbox.join(SPOTCHECK_FILE);
    let mut table = Table::new("县重点抽查", &SpotCheckColumn::HEADERS);
    table.text_columns = [
        SpotCheckColumn::ClueId,
        SpotCheckColumn::IdNumber,
        SpotCheckColumn::Codes,
    ]
    .map(SpotCheckColumn::index)
    .to_vec();
    table.min_widths = vec![
        (SpotCheckColumn::Checker.index(), 10.0),
        (SpotCheckColumn::CheckDate.index(), 12.0),
        (SpotCheckColumn::Note.index(), 30.0),
    ];
    table.printable = true;
    table.dropdown = Some(Dropdown {
        column: SpotCheckColumn::Verdict.index(),
        options: &SpotCheckVerdict::LABELS,
    });
    table.rows = drawn
        .iter()
        .map(|clue| {
            let review = clue.review.as_ref().expect("a closed clue has a review");
            let text = |t: Option<&String>| Out::text(t.cloned().unwrap_or_default());
            SpotCheckColumn::ALL
                .into_iter()
                .map(|column| match column {
                    SpotCheckColumn::ClueId => Out::text(&clue.clue_id),
                    SpotCheckColumn::Township => text(clue.township.as_ref()),
                    SpotCheckColumn::Village => text(clue.village.as_ref()),
                    SpotCheckColumn::Name => Out::text(&clue.name),
                    SpotCheckColumn::IdNumber => text(clue.id_number.as_ref()),
                    SpotCheckColumn::Codes => Out::text(&clue.codes),
                    SpotCheckColumn::Outcome => Out::text(review.outcome.label_zh()),
                    SpotCheckColumn::Reviewer => text(review.reviewer.as_ref()),
                    SpotCheckColumn::ReviewDate => Out::text(date_text(review.review_date)),
                    SpotCheckColumn::ReviewNote => text(review.note.as_ref()),
                    SpotCheckColumn::Verdict
                    | SpotCheckColumn::Checker
                    | SpotCheckColumn::CheckDate
                    | SpotCheckColumn::Note => Out::text(""),
                })
                .collect()
        })
        .collect();
    let bytes =
        workbook_bytes(&[Sheet::Table(&table)], None).map_err(|source| LedgerError::Xlsx {
            path: path.clone(),
            source,
        })?;
    let write_err = |source| LedgerError::Write {
        path: path.clone(),
        source,
    };
    ops::create_private_dir(outbox).map_err(write_err)?;
    ops::write_atomic(&path, &bytes).map_err(write_err)?;
    Ok(path)
}
