//! 待复核 verdicts: the identity questions a run asked, and what a person answered. `review`
//! imports a returned 待复核 list (or its LibreOffice/WPS/Excel re-save); the next run hands
//! the verdicts to matching, which links a 同一人 pair and never a 不是同一人 one.
//! Questions are keyed by both records' identity cells (see `matching::question_of`), so an
//! answer holds for tomorrow's extract whatever its row order.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use rusqlite::params;

use super::returned::{self, FilledHeaders, FilledRow, Returned};
use super::review::row_reject;
use super::{date_text, parse_date, Ledger, LedgerError, SqlContext};
use crate::lang::pick;
use crate::model::{LinkVerdict, QuestionColumn, QuestionId, Reject};
use crate::tr;

/// A verdict as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVerdict {
    pub verdict: LinkVerdict,
    pub reviewer: String,
    pub decided_on: NaiveDate,
    pub note: Option<String>,
}

/// The 待复核 list's key and filled-in columns.
const HEADERS: FilledHeaders = FilledHeaders {
    key: QuestionColumn::Question.header(),
    choice: QuestionColumn::Verdict.header(),
    signer: QuestionColumn::Reviewer.header(),
    date: QuestionColumn::ReviewDate.header(),
    note: QuestionColumn::Note.header(),
};

/// What an import of 待复核 lists did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerImport {
    pub files: usize,
    pub rows: usize,
    /// New or changed verdicts recorded.
    pub recorded: usize,
    /// Rows that say what the ledger already holds: a second import of one file.
    pub unchanged: usize,
    /// Rows with no 复核结论, 复核人 or 复核日期: not yet answered.
    pub not_filled: usize,
    pub rejects: Vec<Reject>,
}

/// Reads a returned file as a 待复核 list: `None` when its first used row does not hold
/// 复核编号 and 复核结论 (another kind of list, then), or the file cannot be read.
pub fn read_answers(path: &Path) -> Option<(Vec<FilledRow>, Vec<Reject>)> {
    returned::read_filled(path, &HEADERS)
}

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    question: QuestionId,
    stored: StoredVerdict,
    source: String,
}

/// Every problem with one row; a row with none is an answer.
fn check(
    row: &FilledRow,
    asked: &BTreeMap<QuestionId, NaiveDate>,
    today: NaiveDate,
) -> Result<Answer, Vec<String>> {
    let mut problems = Vec::new();
    let question = match row.key.as_deref().map(str::parse::<QuestionId>) {
        None => {
            problems.push(tr!("{}为空", "{} is empty", QuestionColumn::Question));
            None
        }
        Some(Err(())) => {
            problems.push(tr!(
                "{}「{}」无法识别 (应为 FH 加 12 位十六进制数字)",
                "{} \"{}\" is not understood (it should be FH and 12 hexadecimal digits)",
                QuestionColumn::Question,
                row.key.as_deref().unwrap_or("")
            ));
            None
        }
        Some(Ok(q)) if !asked.contains_key(&q) => {
            problems.push(tr!(
                "{} {q} 不是 loubao 提出过的复核问题",
                "{} {q} is not a question loubao asked",
                QuestionColumn::Question
            ));
            None
        }
        Some(Ok(q)) => Some(q),
    };
    let verdict = returned::choice(
        row.choice.as_deref(),
        HEADERS.choice,
        LinkVerdict::from_label,
        &LinkVerdict::LABELS,
        &mut problems,
    );
    let date = returned::signed_on(row, &HEADERS, today, &mut problems);
    match (question, verdict, &row.signer, date) {
        (Some(question), Some(verdict), Some(reviewer), Some(decided_on))
            if problems.is_empty() =>
        {
            Ok(Answer {
                question,
                stored: StoredVerdict {
                    verdict,
                    reviewer: reviewer.clone(),
                    decided_on,
                    note: row.note.clone(),
                },
                source: row.reference(),
            })
        }
        _ => Err(problems),
    }
}

impl Ledger {
    /// Every verdict on record, by question.
    pub fn verdicts(&self) -> Result<BTreeMap<QuestionId, StoredVerdict>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT question, verdict, reviewer, decided_on, note FROM link_verdicts")
            .ctx(pick("读取复核结论", "reading review verdicts"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .ctx(pick("读取复核结论", "reading review verdicts"))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (question, verdict, reviewer, decided_on, note) =
                row.ctx(pick("读取复核结论", "reading review verdicts"))?;
            let corrupt = |detail: String| LedgerError::Corrupt {
                context: pick("复核结论", "review verdict"),
                detail,
            };
            let question: QuestionId = question
                .parse()
                .map_err(|()| corrupt(tr!("复核编号 {question}", "question id {question}")))?;
            let verdict = LinkVerdict::from_label(&verdict)
                .ok_or_else(|| corrupt(tr!("复核结论 {verdict}", "verdict {verdict}")))?;
            out.insert(
                question,
                StoredVerdict {
                    verdict,
                    reviewer,
                    decided_on: parse_date(&decided_on)?,
                    note,
                },
            );
        }
        Ok(out)
    }

    fn asked(&self) -> Result<BTreeMap<QuestionId, NaiveDate>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT question, first_asked FROM link_questions")
            .ctx(pick("读取复核问题", "reading review questions"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .ctx(pick("读取复核问题", "reading review questions"))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (question, first) = row.ctx(pick("读取复核问题", "reading review questions"))?;
            if let Ok(q) = question.parse() {
                out.insert(q, parse_date(&first)?);
            }
        }
        Ok(out)
    }

    /// Checks the answers read from returned 待复核 lists and records the valid ones in one
    /// transaction. Rows that answer one question differently are all rejected; a row that
    /// says what the ledger already holds changes nothing.
    pub fn import_answers(
        &mut self,
        read: Vec<(Vec<FilledRow>, Vec<Reject>)>,
        today: NaiveDate,
    ) -> Result<AnswerImport, LedgerError> {
        let asked = self.asked()?;
        let stored = self.verdicts()?;
        let mut summary = AnswerImport::default();
        let mut rows = Vec::new();
        for (file_rows, refused) in read {
            summary.files += 1;
            summary.rows += file_rows.len() + refused.len();
            rows.extend(file_rows);
            summary.rejects.extend(refused);
        }
        let touched: Vec<&FilledRow> = rows.iter().filter(|r| !r.is_untouched()).collect();
        summary.not_filled = rows.len() - touched.len();
        let conflicts = returned::conflicts(&touched, |question, others| {
            tr!(
                "{} {question} 另见 {others}, 各行的{}/{}/{}/{}不一致, 请只保留一行",
                "{} {question} also in {others}, and the rows' {}/{}/{}/{} differ: keep only one row",
                QuestionColumn::Question,
                QuestionColumn::Verdict,
                QuestionColumn::Reviewer,
                QuestionColumn::ReviewDate,
                QuestionColumn::Note
            )
        });
        // One answer per question: identical rows are one.
        let mut valid: BTreeMap<QuestionId, Answer> = BTreeMap::new();
        for (i, row) in touched.iter().enumerate() {
            let mut problems = match check(row, &asked, today) {
                Ok(answer) if !conflicts.contains_key(&i) => {
                    valid.entry(answer.question).or_insert(answer);
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
        let (unchanged, valid): (Vec<Answer>, Vec<Answer>) = valid
            .into_values()
            .partition(|a| stored.get(&a.question) == Some(&a.stored));
        summary.unchanged = unchanged.len();
        let imported_at = date_text(today);
        let tx = self.conn.transaction().ctx(pick(
            "开始导入复核结论",
            "starting the import of review verdicts",
        ))?;
        for answer in &valid {
            let s = &answer.stored;
            tx.execute(
                "INSERT INTO link_verdicts
                    (question, verdict, reviewer, decided_on, note, imported_from, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(question) DO UPDATE SET verdict = ?2, reviewer = ?3,
                    decided_on = ?4, note = ?5, imported_from = ?6, imported_at = ?7",
                params![
                    answer.question.to_string(),
                    s.verdict.label_zh(),
                    s.reviewer,
                    date_text(s.decided_on),
                    s.note,
                    answer.source,
                    imported_at
                ],
            )
            .ctx(pick("记录复核结论", "recording review verdicts"))?;
        }
        tx.commit()
            .ctx(pick("提交复核结论", "committing review verdicts"))?;
        summary.recorded = valid.len();
        Ok(summary)
    }
}

/// Records the questions a run put on its 待复核 list, with the day each was first asked:
/// an answer must name one of them.
pub(super) fn record_questions(
    tx: &rusqlite::Transaction<'_>,
    questions: &[QuestionId],
    as_of: NaiveDate,
) -> Result<(), LedgerError> {
    let day = date_text(as_of);
    for q in questions {
        tx.prepare_cached(
            "INSERT INTO link_questions (question, first_asked, last_asked)
             VALUES (?1, ?2, ?2)
             ON CONFLICT(question) DO UPDATE SET last_asked = max(last_asked, ?2)",
        )
        .and_then(|mut stmt| stmt.execute(params![q.to_string(), day]))
        .ctx(pick("记录复核问题", "recording review questions"))?;
    }
    Ok(())
}
