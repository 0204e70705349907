//! `loubao eval`: score a pipeline against the sample county's truth — link precision and
//! recall (pairwise, over person records that share a true person, and record by record:
//! did each screening record of a person on a roll reach that roll record, by ID damage and
//! by source), per-code precision, recall and F1 of the latest run's township lists, the
//! share of suspects in the right township, suspect recall by ID damage and by source, and
//! the worst misses with a reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use loubao_lang::{pick, tr};
use loubao_model::{ConductColumn, Link, Linkage, ListColumn, PersonRecord, Role, RuleCode};

use super::write::role_key;

mod links;
mod lists;
#[cfg(test)]
mod tests;

use links::{link_score, noise_labels, roll_link_score, source_file, Known};
pub use links::{RollLinkScore, RollMiss, RollTally};
use lists::{latest_run, read_suspects, score_lists};

/// Roll files of the civil-affairs bureau: not screening sources.
const ROLL_PREFIX: &str = "民政_";
const MAX_MISSES: usize = 15;

#[derive(Debug, Clone, Default)]
pub struct LinkScore {
    /// Person records read by the pipeline, and those the truth knows.
    pub records: usize,
    pub records_known: usize,
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub correct_pairs: u64,
}

#[derive(Debug, Clone)]
pub struct CodeScore {
    pub code: RuleCode,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl CodeScore {
    pub fn precision(&self) -> f64 {
        ratio_usize(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }
    pub fn recall(&self) -> f64 {
        ratio_usize(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        1.0
    } else {
        a / b
    }
}

fn ratio_usize(a: usize, b: usize) -> f64 {
    ratio(a as f64, b as f64)
}

#[derive(Debug, Clone)]
pub struct Miss {
    pub false_positive: bool,
    pub person_id: String,
    pub code: RuleCode,
    pub reason: String,
}

/// (label, found, expected).
pub type Recall = (String, usize, usize);

#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub link: LinkScore,
    pub roll_link: RollLinkScore,
    /// The run folder whose lists were scored; `None` when the outbox has no complete run.
    pub run_folder: Option<PathBuf>,
    pub suspects: usize,
    pub codes: Vec<CodeScore>,
    /// Suspect rows placed in their true township, of rows mapped to a true person.
    pub right_township: (usize, usize),
    pub recall_by_noise: Vec<Recall>,
    pub recall_by_source: Vec<Recall>,
    pub misses: Vec<Miss>,
}

impl EvalReport {
    pub fn code(&self, code: RuleCode) -> Option<&CodeScore> {
        self.codes.iter().find(|c| c.code == code)
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.link;
        if l.records_known == 0 {
            writeln!(
                f,
                "{}",
                tr!(
                    "关联: 流水线没有产生可对应真值的人员记录 ({} 条)",
                    "links: the pipeline made no person record the truth knows ({} records)",
                    l.records
                )
            )?;
        } else {
            writeln!(
                f,
                "{}",
                tr!(
                    "关联 (成对): 精确率 {:.4}  召回率 {:.4}  ({} 条人员记录, 真值已知 {}; 真实对 {}, 预测对 {}, 正确 {})",
                    "links (pairwise): precision {:.4}  recall {:.4}  ({} person records, {} known to the truth; {} true pairs, {} predicted, {} right)",
                    ratio(l.correct_pairs as f64, l.predicted_pairs as f64),
                    ratio(l.correct_pairs as f64, l.true_pairs as f64),
                    l.records,
                    l.records_known,
                    l.true_pairs,
                    l.predicted_pairs,
                    l.correct_pairs
                )
            )?;
            write!(f, "{}", self.roll_link)?;
        }
        let Some(folder) = &self.run_folder else {
            return writeln!(
                f,
                "{}",
                pick(
                    "输出文件夹中没有完整的运行结果: 先运行 `loubao run`",
                    "no complete run in the outbox: run `loubao run` first"
                )
            );
        };
        writeln!(
            f,
            "{}",
            tr!(
                "名单: {} ({} 行)",
                "lists: {} ({} rows)",
                folder.display(),
                self.suspects
            )
        )?;
        writeln!(
            f,
            "{}",
            pick(
                "代码   精确率  召回率  F1      TP    FP    FN",
                "code   prec.   recall  F1      TP    FP    FN"
            )
        )?;
        for c in &self.codes {
            writeln!(
                f,
                "{}    {:.4}  {:.4}  {:.4}  {:<5} {:<5} {}",
                c.code.code(),
                c.precision(),
                c.recall(),
                c.f1(),
                c.true_positives,
                c.false_positives,
                c.false_negatives
            )?;
        }
        let (right, all) = self.right_township;
        writeln!(
            f,
            "{}",
            tr!(
                "乡镇正确: {:.4} ({right}/{all})",
                "township right: {:.4} ({right}/{all})",
                ratio_usize(right, all)
            )
        )?;
        for (title, rows) in [
            (
                pick(
                    "疑似对象召回率(按数据缺陷类型)",
                    "suspect recall (by defect)",
                ),
                &self.recall_by_noise,
            ),
            (
                pick(
                    "疑似对象召回率(按来源文件)",
                    "suspect recall (by source file)",
                ),
                &self.recall_by_source,
            ),
        ] {
            writeln!(f, "{title}:")?;
            for (label, found, expected) in rows {
                writeln!(
                    f,
                    "  {label:<28} {:.4} ({found}/{expected})",
                    ratio_usize(*found, *expected)
                )?;
            }
        }
        if !self.misses.is_empty() {
            writeln!(
                f,
                "{}",
                pick("最严重的遗漏与误报:", "worst misses and false alarms:")
            )?;
            for m in &self.misses {
                let kind = if m.false_positive {
                    pick("误报", "false alarm")
                } else {
                    pick("漏报", "missed")
                };
                writeln!(
                    f,
                    "  {kind} {} {}: {}",
                    m.code.code(),
                    m.person_id,
                    m.reason
                )?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for RollLinkScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.recall;
        writeln!(
            f,
            "{}",
            tr!(
            "名册匹配 (按记录): 精确率 {:.4} ({}/{})  召回率 {:.4} ({}/{}); 未匹配 {} 条, 其中待复核 {} 条",
            "roll links (per record): precision {:.4} ({}/{})  recall {:.4} ({}/{}); {} not linked, {} of them held for review",
            self.precision(),
            self.linked_right,
            self.linked,
            r.recall(),
            r.found,
            r.total,
            r.total - r.found,
            r.held
            )
        )?;
        // Held records are paired with their own roll record on the review list: found
        // once a person answers 同一人.
        writeln!(
            f,
            "{}",
            tr!(
                "  计入待复核中与本人名册记录配对者: 召回率 {:.4} ({}/{})",
                "  counting those held for review with their own roll record: recall {:.4} ({}/{})",
                r.recall_with_held(),
                r.found + r.held,
                r.total
            )
        )?;
        for (title, rows) in [
            (
                pick(
                    "名册匹配召回率(按数据缺陷类型)",
                    "roll link recall (by defect)",
                ),
                &self.by_noise,
            ),
            (
                pick(
                    "名册匹配召回率(按来源文件)",
                    "roll link recall (by source file)",
                ),
                &self.by_source,
            ),
        ] {
            writeln!(f, "{title}:")?;
            for (label, t) in rows {
                writeln!(
                    f,
                    "{}",
                    tr!(
                        "  {label:<28} {:.4} ({}/{})  待复核 {}",
                        "  {label:<28} {:.4} ({}/{})  held {}",
                        t.recall(),
                        t.found,
                        t.total,
                        t.held
                    )
                )?;
            }
        }
        let groups = self.miss_groups();
        if !groups.is_empty() {
            writeln!(
                f,
                "{}",
                pick(
                    "名册匹配遗漏 (按来源文件与缺陷类型, 每组一例):",
                    "roll links missed (by source file and defect, one example each):"
                )
            )?;
        }
        for (file, labels, n, held, m) in groups.into_iter().take(MAX_MISSES) {
            writeln!(
                f,
                "{}",
                tr!(
                    "  {file} {labels}: {n} 条 (待复核 {held}); 例 {} {}: {}; {}",
                    "  {file} {labels}: {n} (held {held}); e.g. {} {}: {}; {}",
                    m.source,
                    m.person_id,
                    m.fields,
                    m.nearest
                )
            )?;
        }
        Ok(())
    }
}

/// One data row of the truth: who and which defects.
#[derive(Debug, Clone)]
struct TruthRow {
    person: String,
    role: String,
    noise: String,
}

struct Truth {
    /// source ref → the persons of that row.
    rows: BTreeMap<String, Vec<TruthRow>>,
    /// person id → (source ref, noise) of the rows where the person is the subject.
    by_person: BTreeMap<String, Vec<(String, String)>>,
    township: BTreeMap<String, String>,
    /// resident ID → person id.
    by_id: BTreeMap<String, String>,
    expected: BTreeMap<String, BTreeSet<RuleCode>>,
}

fn read_truth(dir: &Path) -> anyhow::Result<Truth> {
    let open = |name: &str| {
        let path = dir.join(name);
        csv::Reader::from_path(&path).with_context(|| {
            tr!(
                "无法读取真值文件 {}",
                "cannot read the truth file {}",
                path.display()
            )
        })
    };
    let mut truth = Truth {
        rows: BTreeMap::new(),
        by_person: BTreeMap::new(),
        township: BTreeMap::new(),
        by_id: BTreeMap::new(),
        expected: BTreeMap::new(),
    };
    for rec in open("rows.csv")?.records() {
        let rec = rec?;
        let (source, person, role, noise) = (&rec[0], &rec[1], &rec[2], &rec[3]);
        if role == role_key(Role::Subject) {
            truth
                .by_person
                .entry(person.to_string())
                .or_default()
                .push((source.to_string(), noise.to_string()));
        }
        truth
            .rows
            .entry(source.to_string())
            .or_default()
            .push(TruthRow {
                person: person.to_string(),
                role: role.to_string(),
                noise: noise.to_string(),
            });
    }
    for rec in open("persons.csv")?.records() {
        let rec = rec?;
        truth
            .township
            .insert(rec[0].to_string(), rec[3].to_string());
        truth.by_id.insert(rec[2].to_string(), rec[0].to_string());
    }
    for rec in open("expected.csv")?.records() {
        let rec = rec?;
        let codes = rec[2].split(';').filter_map(RuleCode::from_code).collect();
        truth.expected.insert(rec[0].to_string(), codes);
    }
    Ok(truth)
}

impl Truth {
    /// The truth row of `source` that describes `role`.
    fn row_of(&self, source: &str, role: Role) -> Option<&TruthRow> {
        self.rows
            .get(source)?
            .iter()
            .find(|r| r.role == role_key(role))
    }

    /// The person a ref is about, and the weight of its vote: a children-at-risk row names
    /// the parents too but is about the child, so it outweighs one parent's own record that
    /// the pipeline cites as evidence (R05).
    fn subject_of(&self, source: &str) -> Option<(&str, usize)> {
        let rows = self.rows.get(source)?;
        let weight = if rows.len() > 1 { 3 } else { 2 };
        let subject = rows
            .iter()
            .find(|r| r.role == role_key(Role::Subject))
            .or(rows.first())?;
        Some((subject.person.as_str(), weight))
    }

    fn screening_rows(&self, person: &str) -> impl Iterator<Item = &(String, String)> {
        self.by_person
            .get(person)
            .into_iter()
            .flatten()
            .filter(|(source, _)| !source.starts_with(ROLL_PREFIX))
    }
}

/// Scores a pipeline's person records and their linkage (as `run` computes them), and the
/// newest complete run folder in `outbox`, against the truth in `truth_dir`. The caller runs
/// the pipeline's stages: this crate knows only the model types, so the truth cannot call
/// the code it checks.
pub fn evaluate(
    truth_dir: &Path,
    records: &[PersonRecord],
    linkage: &Linkage,
    outbox: &Path,
) -> anyhow::Result<EvalReport> {
    let truth = read_truth(truth_dir)?;
    let known = Known::new(records, linkage, &truth);
    let mut report = EvalReport {
        link: link_score(&known),
        roll_link: roll_link_score(&known),
        ..EvalReport::default()
    };
    let Some(folder) = latest_run(outbox)? else {
        return Ok(report);
    };
    let suspects = read_suspects(&folder)?;
    report.run_folder = Some(folder);
    report.suspects = suspects.len();
    score_lists(&mut report, &truth, &suspects);
    Ok(report)
}
