//! Reports drawn from the ledger: the monthly progress report due by the 18th (zero rows
//! included: 问题线索实行零报送) and the closing three lists (问题(整改)清单, 成果清单, 制度清单).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Months, NaiveDate};

use super::spotcheck::SpotTally;
use super::{
    parse_date, parse_outcome, ClueRecord, Ledger, LedgerError, LedgerStatus, RectificationKind,
    RectificationState, SqlContext,
};
use crate::config::{Deadlines, Township};
use crate::lang::pick;
use crate::model::{ListColumn, Overdue, ReviewOutcome, SourceKind};
use crate::ops;
use crate::report::{workbook_bytes, Cell, Form, FormStyle, Sheet};

/// Row label for clues whose township could not be decided.
pub const UNDECIDED_TOWNSHIP: &str = "未确定乡镇";
pub const TOTAL_ROW: &str = "合计";
pub const SHEET_PROBLEMS: &str = "问题(整改)清单";
pub const SHEET_RESULTS: &str = "成果清单";
pub const SHEET_RULES: &str = "制度清单";
pub const SHEET_SPOT_CHECKS: &str = "县重点抽查";
pub const FINAL_FILE: &str = "总结_三项清单.xlsx";

const MONTHLY_HEADERS: [&str; 10] = [
    "乡镇",
    "本月新增线索",
    "本月核查",
    "其中: 纳入低保/特困/孤儿/事实无人抚养儿童",
    "其中: 给予临时救助",
    "其中: 不符合条件",
    "月末尚未核查",
    "本月新增服务问题线索",
    Overdue::Review.label_zh(),
    Overdue::Rectify.label_zh(),
];

/// One township's figures for a month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthlyRow {
    pub township: String,
    /// Clues first seen in the month.
    pub new: usize,
    /// Clues with a review dated in the month (each counted once, by its latest review).
    pub verified: usize,
    /// … whose outcome was 符合条件已纳入保障.
    pub included: usize,
    /// … 已给予临时救助.
    pub temp_assistance: usize,
    /// … 不符合条件.
    pub rejected: usize,
    /// Clues seen by the month's end with no review by then and not written off.
    pub open: usize,
    /// Conduct clues (R07) first seen in the month: counted here only, since the township
    /// does not review complaints about its own staff.
    pub conduct: usize,
    /// Of `open`, those past the review deadline at the month's end (逾期未核查).
    pub overdue_review: usize,
    /// Clues reported as included, not yet seen on the rolls, past the rectify deadline at
    /// the month's end (逾期未整改).
    pub overdue_rectify: usize,
}

impl MonthlyRow {
    fn figures(&self) -> [usize; 9] {
        [
            self.new,
            self.verified,
            self.included,
            self.temp_assistance,
            self.rejected,
            self.open,
            self.conduct,
            self.overdue_review,
            self.overdue_rectify,
        ]
    }

    fn add(&mut self, other: &MonthlyRow) {
        self.new += other.new;
        self.verified += other.verified;
        self.included += other.included;
        self.temp_assistance += other.temp_assistance;
        self.rejected += other.rejected;
        self.open += other.open;
        self.conduct += other.conduct;
        self.overdue_review += other.overdue_review;
        self.overdue_rectify += other.overdue_rectify;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyReport {
    /// First day of the month reported on.
    pub month: NaiveDate,
    /// The campaign's monthly day (the 18th) of the following month.
    pub due: NaiveDate,
    /// Every configured township (zeros included), then any other township in the ledger.
    pub rows: Vec<MonthlyRow>,
    pub total: MonthlyRow,
}

/// `2021-06` → 2021-06-01.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()
}

/// The monthly report's file name, `月报_2021-06.xlsx`.
pub fn monthly_file_name(month: NaiveDate) -> String {
    format!("月报_{}.xlsx", month.format("%Y-%m"))
}

/// Persons newly covered and assistance granted, for the 成果清单.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    /// Latest review 符合条件已纳入保障.
    pub included: usize,
    /// … and no longer a suspect since (整改已到位).
    pub included_confirmed: usize,
    /// At least one review 已给予临时救助.
    pub temp_assistance: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FinalReport {
    pub clues: Vec<ClueRecord>,
    /// Per clue (same order): whether its rectification was done by the rectify deadline.
    pub on_time: Vec<Timeliness>,
    /// By township: configured order, then others.
    pub by_township: Vec<(String, Results)>,
    /// By source kind: a person counts under each source behind the clue.
    pub by_source: Vec<(SourceKind, Results)>,
    /// 县重点抽查 by township: closures drawn, checked, found 一致.
    pub spot_checks: Vec<(String, SpotTally)>,
}

impl Ledger {
    /// Figures for one month, per township, with the clues past a campaign deadline at the
    /// month's end.
    pub fn monthly(
        &self,
        townships: &[Township],
        month: NaiveDate,
        deadlines: &Deadlines,
    ) -> Result<MonthlyReport, LedgerError> {
        let start = month.with_day(1).expect("day 1 exists");
        let next = start + Months::new(1);
        let end = next.pred_opt().expect("month has a last day");
        let due = next
            .with_day(deadlines.monthly_day)
            .expect("monthly_day is checked to be 1 to 28");
        let reviews = self.all_reviews()?;
        let mut rows = township_rows(townships, &self.clues()?, |row: &mut MonthlyRow, clue| {
            let in_month = |d: NaiveDate| d >= start && d <= end;
            let history = reviews.get(&clue.clue_id).map(Vec::as_slice).unwrap_or(&[]);
            if clue.is_conduct() {
                row.conduct += usize::from(in_month(clue.first_seen));
                return;
            }
            if in_month(clue.first_seen) {
                row.new += 1;
            }
            if let Some((outcome, _)) = history.iter().rev().find(|(_, d)| in_month(*d)) {
                row.verified += 1;
                match outcome {
                    ReviewOutcome::Included => row.included += 1,
                    ReviewOutcome::TempAssistance => row.temp_assistance += 1,
                    ReviewOutcome::NotEligible => row.rejected += 1,
                    _ => {}
                }
            }
            let reviewed_by_end = history.iter().any(|(_, d)| *d <= end);
            let written_off =
                clue.status == LedgerStatus::WrittenOff && clue.closed_on.is_some_and(|d| d <= end);
            if clue.first_seen <= end && !reviewed_by_end && !written_off {
                row.open += 1;
                row.overdue_review += usize::from(end > deadlines.review_by);
            }
            let inclusion_pending = clue.status == LedgerStatus::Included
                && clue.rectification.as_ref().is_some_and(|x| {
                    x.kind == RectificationKind::Inclusion
                        && x.date <= end
                        && matches!(
                            x.state,
                            RectificationState::Pending | RectificationState::Missing
                        )
                });
            row.overdue_rectify += usize::from(inclusion_pending && end > deadlines.rectify_by);
        });
        let mut total = MonthlyRow {
            township: TOTAL_ROW.to_string(),
            ..MonthlyRow::default()
        };
        for (name, row) in &mut rows {
            row.township = name.clone();
            total.add(row);
        }
        Ok(MonthlyReport {
            month: start,
            due,
            rows: rows.into_iter().map(|(_, row)| row).collect(),
            total,
        })
    }

    /// Everything the closing three lists need, as of `as_of`.
    pub fn final_report(
        &self,
        townships: &[Township],
        as_of: NaiveDate,
        deadlines: &Deadlines,
    ) -> Result<FinalReport, LedgerError> {
        let clues = self.clues()?;
        let on_time = clues
            .iter()
            .map(|c| Timeliness::of(c, as_of, deadlines))
            .collect();
        let reviews = self.all_reviews()?;
        let results_of = |clue: &ClueRecord| {
            let history = reviews.get(&clue.clue_id).map(Vec::as_slice).unwrap_or(&[]);
            let included = clue.review.as_ref().map(|r| r.outcome) == Some(ReviewOutcome::Included);
            Results {
                included: usize::from(included),
                included_confirmed: usize::from(
                    included && clue.status == LedgerStatus::WrittenOff,
                ),
                temp_assistance: usize::from(
                    history
                        .iter()
                        .any(|(o, _)| *o == ReviewOutcome::TempAssistance),
                ),
            }
        };
        let by_township = township_rows(townships, &clues, |row: &mut Results, clue| {
            add_results(row, &results_of(clue))
        });
        let mut by_source: BTreeMap<SourceKind, Results> = BTreeMap::new();
        for clue in &clues {
            let results = results_of(clue);
            for kind in clue.sources.split(';').filter_map(SourceKind::from_key) {
                add_results(by_source.entry(kind).or_default(), &results);
            }
        }
        let tallies = self.spot_tallies()?;
        let spot_checks = township_rows(townships, &clues, |row: &mut SpotTally, clue| {
            if let Some(t) = tallies.get(&clue.clue_id) {
                row.drawn += t.drawn;
                row.checked += t.checked;
                row.agreed += t.agreed;
            }
        });
        Ok(FinalReport {
            spot_checks,
            clues,
            on_time,
            by_township,
            by_source: by_source.into_iter().collect(),
        })
    }

    /// Every review as (outcome, date) per clue, oldest first.
    fn all_reviews(
        &self,
    ) -> Result<BTreeMap<String, Vec<(ReviewOutcome, NaiveDate)>>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT clue_id, outcome, review_date FROM reviews ORDER BY review_date, id")
            .ctx(pick("读取核查结果", "reading review results"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .ctx(pick("读取核查结果", "reading review results"))?;
        let mut out: BTreeMap<String, Vec<(ReviewOutcome, NaiveDate)>> = BTreeMap::new();
        for row in rows {
            let (clue_id, outcome, date) =
                row.ctx(pick("读取核查结果", "reading review results"))?;
            let outcome = parse_outcome(&outcome)?;
            out.entry(clue_id)
                .or_default()
                .push((outcome, parse_date(&date)?));
        }
        Ok(out)
    }
}

/// 按期整改: whether a clue's rectification was done by the rectify deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// No rectification was opened.
    None,
    OnTime,
    Late,
    /// Not done, and the deadline has passed (逾期未整改).
    Overdue,
    /// Not done yet, the deadline still ahead.
    Pending,
}

impl Timeliness {
    fn of(clue: &ClueRecord, as_of: NaiveDate, deadlines: &Deadlines) -> Timeliness {
        let Some(fix) = &clue.rectification else {
            return Timeliness::None;
        };
        let done = matches!(
            fix.state,
            RectificationState::Done | RectificationState::Granted
        );
        match (done, fix.date <= deadlines.rectify_by) {
            (true, true) => Timeliness::OnTime,
            (true, false) => Timeliness::Late,
            (false, _) if as_of > deadlines.rectify_by => Timeliness::Overdue,
            (false, _) => Timeliness::Pending,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Timeliness::None => "",
            Timeliness::OnTime => "按期整改",
            Timeliness::Late => "逾期整改",
            Timeliness::Overdue => Overdue::Rectify.label_zh(),
            Timeliness::Pending => "整改中(未到期限)",
        }
    }
}

fn add_results(into: &mut Results, r: &Results) {
    into.included += r.included;
    into.included_confirmed += r.included_confirmed;
    into.temp_assistance += r.temp_assistance;
}

/// One accumulator per township: every configured township (so a quiet one shows zeros),
/// then townships only the ledger knows (renamed since), then 未确定乡镇.
fn township_rows<T: Default>(
    townships: &[Township],
    clues: &[ClueRecord],
    mut add: impl FnMut(&mut T, &ClueRecord),
) -> Vec<(String, T)> {
    let mut rows: Vec<(String, T)> = townships
        .iter()
        .map(|t| (t.name.clone(), T::default()))
        .collect();
    for clue in clues {
        let name = clue.township.as_deref().unwrap_or(UNDECIDED_TOWNSHIP);
        let i = match rows.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                rows.push((name.to_string(), T::default()));
                rows.len() - 1
            }
        };
        add(&mut rows[i].1, clue);
    }
    // Keep 未确定乡镇 last whatever the clue order.
    rows.sort_by_key(|(n, _)| n == UNDECIDED_TOWNSHIP);
    rows
}

/// Writes `月报_YYYY-MM.xlsx` into `outbox` (owner-only, atomically) and returns its path.
pub fn write_monthly(
    report: &MonthlyReport,
    county: &str,
    outbox: &Path,
) -> Result<PathBuf, LedgerError> {
    let path = outbox.join(monthly_file_name(report.month));
    let mut form = Form::new("月报");
    let title = format!(
        "{county}漏保漏救问题线索排查整改月报 ({}年{}月) 报送截止: {}年{}月{}日",
        report.month.year(),
        report.month.month(),
        report.due.year(),
        report.due.month(),
        report.due.day()
    );
    let last_col = (MONTHLY_HEADERS.len() - 1) as u16;
    form.title(0, last_col, title);
    let end = report.month + Months::new(1);
    let span = format!(
        "统计期间: {} 至 {}; 问题线索实行零报送, 无新增线索的乡镇亦填报 0",
        report.month,
        end.pred_opt().expect("month has a last day")
    );
    form.cell(1, 0, Cell::text(span), FormStyle::Plain);
    form.row(2, MONTHLY_HEADERS.map(Cell::text), FormStyle::Header);
    for (row, r) in (3..).zip(report.rows.iter().chain(std::iter::once(&report.total))) {
        let style = if r.township == TOTAL_ROW {
            FormStyle::Total
        } else {
            FormStyle::Boxed
        };
        let figures = r.figures().map(Cell::Count);
        form.row(
            row,
            std::iter::once(Cell::text(&r.township)).chain(figures),
            style,
        );
    }
    form.widths(0, 0, 16.0);
    form.widths(1, last_col, 14.0);
    form.freeze(3, 1);
    save(&[&form], outbox, &path)?;
    Ok(path)
}

const PROBLEM_HEADERS: [&str; 20] = [
    "序号",
    ListColumn::ClueId.header(),
    ListColumn::Township.header(),
    ListColumn::Village.header(),
    ListColumn::Name.header(),
    ListColumn::IdNumber.header(),
    ListColumn::Codes.header(),
    ListColumn::Sources.header(),
    "依据(首次发现)",
    ListColumn::FirstSeen.header(),
    "最近发现日期",
    "台账状态",
    ListColumn::Outcome.header(),
    ListColumn::Reviewer.header(),
    ListColumn::ReviewDate.header(),
    ListColumn::Note.header(),
    "整改类型",
    "整改情况",
    "整改日期",
    "是否按期整改",
];

const RESULT_HEADERS: [&str; 4] = ["", "新纳入保障人数", "其中: 已确认在册", "给予临时救助人数"];

const RULE_HEADERS: [&str; 6] = ["序号", "制度名称", "文号", "印发日期", "主要内容", "备注"];

/// Writes `总结_三项清单.xlsx` into `outbox` (owner-only, atomically) and returns its path.
pub fn write_final(report: &FinalReport, outbox: &Path) -> Result<PathBuf, LedgerError> {
    let path = outbox.join(FINAL_FILE);

    let mut problems = Form::new(SHEET_PROBLEMS);
    problems.row(0, PROBLEM_HEADERS.map(Cell::text), FormStyle::Header);
    for (i, clue) in report.clues.iter().enumerate() {
        let sources: Vec<&str> = clue
            .sources
            .split(';')
            .filter_map(SourceKind::from_key)
            .map(SourceKind::label_zh)
            .collect();
        let review = clue.review.as_ref();
        let fix = clue.rectification.as_ref();
        let text = |o: Option<String>| o.unwrap_or_default();
        let cells = [
            (i + 1).to_string(),
            clue.clue_id.clone(),
            text(clue.township.clone()),
            text(clue.village.clone()),
            clue.name.clone(),
            text(clue.id_number.clone()),
            clue.codes.clone(),
            sources.join(";"),
            clue.evidence.clone(),
            clue.first_seen.to_string(),
            clue.last_seen.to_string(),
            clue.status.label_zh(review.map(|r| r.outcome)).to_string(),
            text(review.map(|r| r.outcome.label_zh().to_string())),
            text(review.and_then(|r| r.reviewer.clone())),
            text(review.map(|r| r.review_date.to_string())),
            text(review.and_then(|r| r.note.clone())),
            text(fix.map(|x| x.kind.label_zh().to_string())),
            text(fix.map(|x| x.state.label_zh().to_string())),
            text(fix.map(|x| x.date.to_string())),
            report.on_time[i].label_zh().to_string(),
        ];
        // Strings throughout: IDs and clue numbers must stay text.
        problems.row(i as u32 + 1, cells.map(Cell::Text), FormStyle::Boxed);
    }
    problems.widths(0, 19, 14.0);
    problems.widths(5, 5, 20.0);
    problems.widths(8, 8, 40.0);
    problems.freeze(1, 0);

    let mut results = Form::new(SHEET_RESULTS);
    let mut row = 0;
    let by_source: Vec<(String, Results)> = report
        .by_source
        .iter()
        .map(|(k, r)| (k.label_zh().to_string(), r.clone()))
        .collect();
    for (first, table) in [("乡镇", &report.by_township), ("来源部门", &by_source)] {
        let mut headers = RESULT_HEADERS;
        headers[0] = first;
        results.row(row, headers.map(Cell::text), FormStyle::Header);
        row += 1;
        let mut total = Results::default();
        for (name, r) in table.iter() {
            results.row(row, results_row(name, r), FormStyle::Boxed);
            add_results(&mut total, r);
            row += 1;
        }
        if first == "乡镇" {
            results.row(row, results_row(TOTAL_ROW, &total), FormStyle::Total);
            row += 1;
        }
        row += 1;
    }
    results.cell(
        row,
        0,
        Cell::text("注: 一人有多个来源时, 在每个来源下各计一次, 来源合计可大于人数"),
        FormStyle::Plain,
    );
    results.widths(0, 0, 26.0);
    results.widths(1, 3, 16.0);

    let mut spot = Form::new(SHEET_SPOT_CHECKS);
    spot.row(0, SPOT_HEADERS.map(Cell::text), FormStyle::Header);
    let mut total = SpotTally::default();
    let mut row = 1;
    for (name, t) in &report.spot_checks {
        spot.row(row, spot_row(name, t), FormStyle::Boxed);
        total.drawn += t.drawn;
        total.checked += t.checked;
        total.agreed += t.agreed;
        row += 1;
    }
    spot.row(row, spot_row(TOTAL_ROW, &total), FormStyle::Total);
    spot.widths(0, 0, 16.0);
    spot.widths(1, 4, 14.0);

    let mut rules = Form::new(SHEET_RULES);
    rules.row(0, RULE_HEADERS.map(Cell::text), FormStyle::Header);
    rules.widths(0, 5, 18.0);
    rules.widths(4, 4, 50.0);

    // The three lists first, as the seed document names them; the spot checks after.
    save(&[&problems, &results, &rules, &spot], outbox, &path)?;
    Ok(path)
}

const SPOT_HEADERS: [&str; 5] = ["乡镇", "县抽查线索数", "已反馈", "一致", "不一致"];

fn spot_row(name: &str, t: &SpotTally) -> Vec<Cell> {
    std::iter::once(Cell::text(name))
        .chain(
            [t.drawn, t.checked, t.agreed, t.checked - t.agreed]
                .into_iter()
                .map(Cell::Count),
        )
        .collect()
}

fn results_row(name: &str, r: &Results) -> Vec<Cell> {
    std::iter::once(Cell::text(name))
        .chain(
            [r.included, r.included_confirmed, r.temp_assistance]
                .into_iter()
                .map(Cell::Count),
        )
        .collect()
}

fn save(forms: &[&Form], outbox: &Path, path: &Path) -> Result<(), LedgerError> {
    let sheets: Vec<Sheet<'_>> = forms.iter().map(|f| Sheet::Form(f)).collect();
    // Stamped with the current time: a ledger report is not a reproducible run output.
    let bytes = workbook_bytes(&sheets, None).map_err(|source| LedgerError::Xlsx {
        path: path.to_path_buf(),
        source,
    })?;
    let write_err = |source| LedgerError::Write {
        path: path.to_path_buf(),
        source,
    };
    ops::create_private_dir(outbox).map_err(write_err)?;
    ops::write_atomic(path, &bytes).map_err(write_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_and_due_date() {
        let m = parse_month("2021-12").unwrap();
        assert_eq!(monthly_file_name(m), "月报_2021-12.xlsx");
        assert_eq!(parse_month("2021-13"), None);
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.sqlite3")).unwrap();
        let deadlines = crate::config::CampaignSettings::default().deadlines(m);
        let report = ledger.monthly(&[], m, &deadlines).unwrap();
        assert_eq!(report.due, NaiveDate::from_ymd_opt(2022, 1, 18).unwrap());
        assert!(report.rows.is_empty());
    }
}
