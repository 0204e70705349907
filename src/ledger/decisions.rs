//! 待复核 verdicts: the identity questions a run asked, and what a person answered. `review`
//! imports a returned 待复核 list (or its LibreOffice/WPS/Excel re-save); the next run hands
//! the verdicts to matching, which links a 同一人 pair and never a 不是同一人 one.
//! Questions are keyed by both records' identity cells (see `matching::question_of`), so an
//! answer holds for tomorrow's extract whatever its row order.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use chrono::NaiveDate;
use rusqlite::params;

use super::review::{file_name, row_reject, WrittenDate};
use super::{date_text, parse_date, Ledger, LedgerError, SqlContext};
use crate::config::InputLimits;
use crate::ingest::{self, Cell};
use crate::model::{LinkVerdict, QuestionColumn, QuestionId, Reject};

/// A verdict as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVerdict {
    pub verdict: LinkVerdict,
    pub reviewer: String,
    pub decided_on: NaiveDate,
    pub note: Option<String>,
}

/// One data row of a returned 待复核 list, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    pub file: String,
    /// Physical 1-based row (the header is row 1).
    pub row: u32,
    pub question: Option<String>,
    pub verdict: Option<String>,
    pub reviewer: Option<String>,
    pub date: Option<WrittenDate>,
    pub note: Option<String>,
}

impl AnswerRow {
    fn is_untouched(&self) -> bool {
        self.verdict.is_none() && self.reviewer.is_none() && self.date.is_none()
    }

    fn reference(&self) -> String {
        format!("{}#{}", self.file, self.row)
    }
}

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
/// 复核编号 and 复核结论 (a township list, then). A file that cannot be read is `None`
/// too: the township import reads it again and says why.
pub fn read_answers(path: &Path) -> Option<(Vec<AnswerRow>, Vec<Reject>)> {
    let file = file_name(path);
    let limits = InputLimits::default();
    let grids = ingest::read_grids(&file, path, &limits, b',').ok()?;
    let grid = grids.into_iter().next()?.ok()?;
    let mut columns: Option<Columns> = None;
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    let mut is_list = false;
    grid.for_each_row(&limits, |row, cells| {
        let blank = |cells: &[Cell<'_>]| cells.iter().all(Cell::is_empty);
        match (&columns, cells) {
            (None, Ok(cells)) if blank(cells) => ControlFlow::Continue(()),
            (None, Ok(cells)) => {
                columns = Columns::find(cells);
                is_list = columns.is_some();
                if is_list {
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
            (Some(c), Ok(cells)) => {
                let get = |col: Option<usize>| {
                    col.and_then(|i| cells.get(i))
                        .copied()
                        .filter(|c| !c.is_empty())
                };
                let text = |col: Option<usize>| get(col).map(|c| c.display().trim().to_string());
                rows.push(AnswerRow {
                    file: file.clone(),
                    row,
                    question: text(Some(c.question)),
                    verdict: text(Some(c.verdict)),
                    reviewer: text(c.reviewer),
                    date: get(c.date).map(|cell| WrittenDate {
                        text: cell.display(),
                        date: ingest::cell_date(cell),
                    }),
                    note: text(c.note),
                });
                ControlFlow::Continue(())
            }
        }
    });
    is_list.then_some((rows, rejects))
}

/// Where a 待复核 list's filled-in columns are (0-based).
struct Columns {
    question: usize,
    verdict: usize,
    reviewer: Option<usize>,
    date: Option<usize>,
    note: Option<usize>,
}

impl Columns {
    fn find(cells: &[Cell<'_>]) -> Option<Columns> {
        let column =
            |c: QuestionColumn| cells.iter().position(|x| x.display().trim() == c.header());
        Some(Columns {
            question: column(QuestionColumn::Question)?,
            verdict: column(QuestionColumn::Verdict)?,
            reviewer: column(QuestionColumn::Reviewer),
            date: column(QuestionColumn::ReviewDate),
            note: column(QuestionColumn::Note),
        })
    }
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
    row: &AnswerRow,
    asked: &BTreeMap<QuestionId, NaiveDate>,
    today: NaiveDate,
) -> Result<Answer, Vec<String>> {
    let mut problems = Vec::new();
    let question = match row.question.as_deref().map(str::parse::<QuestionId>) {
        None => {
            problems.push(format!("{}为空", QuestionColumn::Question));
            None
        }
        Some(Err(())) => {
            problems.push(format!(
                "{}「{}」无法识别 (应为 FH 加 12 位十六进制数字)",
                QuestionColumn::Question,
                row.question.as_deref().unwrap_or("")
            ));
            None
        }
        Some(Ok(q)) if !asked.contains_key(&q) => {
            problems.push(format!(
                "{} {q} 不是 loubao 提出过的复核问题",
                QuestionColumn::Question
            ));
            None
        }
        Some(Ok(q)) => Some(q),
    };
    let verdict = match &row.verdict {
        None => {
            problems.push(format!("{}为空", QuestionColumn::Verdict));
            None
        }
        Some(text) => {
            let verdict = LinkVerdict::from_label(text);
            if verdict.is_none() {
                problems.push(format!(
                    "{}「{text}」不是可选项 ({})",
                    QuestionColumn::Verdict,
                    LinkVerdict::LABELS.join("/")
                ));
            }
            verdict
        }
    };
    // Who decided is part of the decision: an answer nobody signed is not applied.
    if row.reviewer.is_none() {
        problems.push(format!("{}为空", QuestionColumn::Reviewer));
    }
    let date = match &row.date {
        None => {
            problems.push(format!("{}为空", QuestionColumn::ReviewDate));
            None
        }
        Some(WrittenDate { date: None, text }) => {
            problems.push(format!("{}「{text}」无法识别", QuestionColumn::ReviewDate));
            None
        }
        Some(WrittenDate {
            date: Some(date), ..
        }) if *date > today => {
            problems.push(format!(
                "{} {date} 晚于今天 {today}",
                QuestionColumn::ReviewDate
            ));
            None
        }
        Some(WrittenDate { date, .. }) => *date,
    };
    match (question, verdict, &row.reviewer, date) {
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
            .ctx("读取复核结论")?;
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
            .ctx("读取复核结论")?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (question, verdict, reviewer, decided_on, note) = row.ctx("读取复核结论")?;
            let corrupt = |detail: String| LedgerError::Corrupt {
                context: "复核结论",
                detail,
            };
            let question: QuestionId = question
                .parse()
                .map_err(|()| corrupt(format!("复核编号 {question}")))?;
            let verdict = LinkVerdict::from_label(&verdict)
                .ok_or_else(|| corrupt(format!("复核结论 {verdict}")))?;
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

    /// The questions a run put on its 待复核 list, with the day each was first asked: an
    /// answer must name one of them.
    pub fn record_questions(
        &mut self,
        questions: &[QuestionId],
        as_of: NaiveDate,
    ) -> Result<(), LedgerError> {
        let tx = self.conn.transaction().ctx("开始记录复核问题")?;
        let day = date_text(as_of);
        for q in questions {
            tx.execute(
                "INSERT INTO link_questions (question, first_asked, last_asked)
                 VALUES (?1, ?2, ?2)
                 ON CONFLICT(question) DO UPDATE SET last_asked = max(last_asked, ?2)",
                params![q.to_string(), day],
            )
            .ctx("记录复核问题")?;
        }
        tx.commit().ctx("提交复核问题")
    }

    fn asked(&self) -> Result<BTreeMap<QuestionId, NaiveDate>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT question, first_asked FROM link_questions")
            .ctx("读取复核问题")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .ctx("读取复核问题")?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (question, first) = row.ctx("读取复核问题")?;
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
        read: Vec<(Vec<AnswerRow>, Vec<Reject>)>,
        today: NaiveDate,
    ) -> Result<AnswerImport, LedgerError> {
        let asked = self.asked()?;
        let stored = self.verdicts()?;
        let mut summary = AnswerImport::default();
        let mut answers: BTreeMap<QuestionId, Vec<Answer>> = BTreeMap::new();
        for (rows, refused) in read {
            summary.files += 1;
            summary.rows += rows.len() + refused.len();
            summary.rejects.extend(refused);
            for row in rows {
                if row.is_untouched() {
                    summary.not_filled += 1;
                    continue;
                }
                match check(&row, &asked, today) {
                    Ok(answer) => answers.entry(answer.question).or_default().push(answer),
                    Err(problems) => {
                        summary
                            .rejects
                            .push(row_reject(&row.file, row.row, problems.join("; ")))
                    }
                }
            }
        }
        let mut valid = Vec::new();
        for (question, mut given) in answers {
            given.dedup_by(|a, b| a.stored == b.stored);
            if given.len() > 1 {
                let places: Vec<&str> = given.iter().map(|a| a.source.as_str()).collect();
                for answer in &given {
                    let (file, row) = answer
                        .source
                        .rsplit_once('#')
                        .unwrap_or((&answer.source, ""));
                    summary.rejects.push(row_reject(
                        file,
                        row.parse().unwrap_or(0),
                        format!(
                            "{} {question} 有多行结论不一致 ({}), 均不予记录",
                            QuestionColumn::Question,
                            places.join("、")
                        ),
                    ));
                }
                continue;
            }
            let answer = given.remove(0);
            if stored.get(&question) == Some(&answer.stored) {
                summary.unchanged += 1;
            } else {
                valid.push(answer);
            }
        }
        let imported_at = date_text(today);
        let tx = self.conn.transaction().ctx("开始导入复核结论")?;
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
            .ctx("记录复核结论")?;
        }
        tx.commit().ctx("提交复核结论")?;
        summary.recorded = valid.len();
        Ok(summary)
    }
}
