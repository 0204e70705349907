//! The county summary workbook `汇总.xlsx`: counts by township × code (× source), persons
//! screened per source, rejects per source and reason, sources not supplied, ID damage per
//! source, source overlaps, the match-score distribution and the run's figures.
//! `Figures` is computed once and also drawn by the HTML page, so both show the same numbers.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::table::{Cell, Output, Sheet, Table};
use super::township::{group, list_name};
use super::{Error, RunReport, SUMMARY};
use crate::model::{ClueStatus, IdQuality, RuleCode, RuleCounts, SourceKind, SourceKinds, Suspect};

/// One township's suspects by code.
pub(crate) struct TownshipCounts {
    pub name: String,
    /// Persons per code (a person with two codes counts under both).
    pub by_code: RuleCounts,
    pub persons: usize,
}

pub(crate) struct Figures {
    pub townships: Vec<TownshipCounts>,
    /// (township, code, source, persons), sparse.
    pub cube: Vec<(String, RuleCode, SourceKind, usize)>,
    /// Suspects per source: persons per code and in all.
    pub by_source: Vec<(SourceKind, RuleCounts, usize)>,
    pub screened: Vec<(SourceKind, usize)>,
    /// (source label, reason, rows).
    pub rejects: Vec<(String, String, usize)>,
    /// (source label, rows), for the chart.
    pub rejects_per_source: Vec<(String, usize)>,
    pub missing: Vec<SourceKind>,
    /// (file, problem, what it does to the results).
    pub data_quality: Vec<[String; 3]>,
    /// Per source: count per ID quality, and records with no ID at all.
    pub id_quality: Vec<(SourceKind, BTreeMap<IdQuality, usize>, usize)>,
    /// Consolidated persons by the number of distinct sources (rolls included) behind them.
    pub overlap_by_count: Vec<(usize, usize)>,
    /// Persons found in both sources of a pair.
    pub overlap_pairs: Vec<(SourceKind, SourceKind, usize)>,
    /// (bucket lower bound, pairs).
    pub histogram: Vec<(f64, usize)>,
    pub thresholds: (f64, f64),
    /// (label, value) lines of 运行信息.
    pub run_info: Vec<(String, String)>,
    /// What a clerk reads first.
    pub headline: Headline,
    /// Every night's figures, tonight's last.
    pub nights: Vec<crate::ledger::NightCounts>,
}

/// The summary's first lines: tonight's suspects and what waits for someone.
pub(crate) struct Headline {
    pub suspects: usize,
    pub new: usize,
    pub continuing: usize,
    /// Persons per code in the county (the 合计 row of 乡镇×疑似类型).
    pub by_code: RuleCounts,
    pub review_questions: usize,
    pub rejects: usize,
}

impl Headline {
    fn of(report: &RunReport<'_>, townships: &[TownshipCounts]) -> Headline {
        let mut by_code = RuleCounts::default();
        for t in townships {
            by_code += &t.by_code;
        }
        let status = |s: ClueStatus| report.clues.values().filter(|c| c.status == s).count();
        Headline {
            suspects: townships.iter().map(|t| t.persons).sum(),
            new: status(ClueStatus::New),
            continuing: status(ClueStatus::Continuing),
            by_code,
            review_questions: report.screening.review.len(),
            rejects: report.ingest.reject_count() + report.normalised.rejects.len(),
        }
    }
}

const UNKNOWN_SOURCE: &str = "未识别来源";

impl Figures {
    pub(crate) fn compute(report: &RunReport<'_>) -> Figures {
        let lists: Vec<(String, Vec<_>)> = group(report)
            .into_iter()
            .map(|(name, suspects)| (list_name(name.as_deref()).to_string(), suspects))
            .collect();
        let mut counts = SuspectCounts::of(&lists);
        counts.add_conduct(&report.screening.conduct);
        let rejects = RejectCounts::of(report);
        let overlap = SourceOverlap::of(report);
        let stats = &report.linkage.stats;
        let headline = Headline::of(report, &counts.townships);
        Figures {
            headline,
            nights: report.nights.clone(),
            townships: counts.townships,
            cube: counts.cube,
            by_source: counts.by_source,
            screened: report
                .screening
                .screened
                .iter()
                .map(|(k, n)| (*k, *n))
                .collect(),
            rejects: rejects.by_reason,
            rejects_per_source: rejects.per_source,
            missing: report.missing_kinds.clone(),
            data_quality: data_quality(report),
            id_quality: id_quality(report),
            overlap_by_count: overlap.by_count,
            overlap_pairs: overlap.pairs,
            histogram: stats.score_histogram.clone(),
            thresholds: (stats.lower_threshold, stats.upper_threshold),
            run_info: run_info(report),
        }
    }
}

/// Suspects counted per township and code, per township × code × source, and per source.
struct SuspectCounts {
    townships: Vec<TownshipCounts>,
    cube: Vec<(String, RuleCode, SourceKind, usize)>,
    by_source: Vec<(SourceKind, RuleCounts, usize)>,
}

impl SuspectCounts {
    fn of(lists: &[(String, Vec<&Suspect>)]) -> SuspectCounts {
        let mut townships = Vec::new();
        let mut cube: BTreeMap<(usize, RuleCode, SourceKind), usize> = BTreeMap::new();
        let mut by_source: BTreeMap<SourceKind, (RuleCounts, usize)> = BTreeMap::new();
        for (t, (name, suspects)) in lists.iter().enumerate() {
            let mut by_code = RuleCounts::default();
            for s in suspects {
                let codes: BTreeSet<RuleCode> = s.findings.iter().map(|f| f.code).collect();
                let sources: SourceKinds = s.sources.iter().copied().collect();
                for &code in &codes {
                    by_code[code] += 1;
                    for kind in sources.iter() {
                        *cube.entry((t, code, kind)).or_default() += 1;
                    }
                }
                for kind in sources.iter() {
                    let entry = by_source.entry(kind).or_default();
                    entry.1 += 1;
                    for &code in &codes {
                        entry.0[code] += 1;
                    }
                }
            }
            townships.push(TownshipCounts {
                name: name.clone(),
                by_code,
                persons: suspects.len(),
            });
        }
        SuspectCounts {
            townships,
            cube: cube
                .into_iter()
                .map(|((t, code, kind), n)| (lists[t].0.clone(), code, kind, n))
                .collect(),
            by_source: by_source
                .into_iter()
                .map(|(k, (codes, n))| (k, codes, n))
                .collect(),
        }
    }
}

impl SuspectCounts {
    /// Conduct clues (R07) count under R07 beside their township's suspects, one per
    /// complaint; they are not suspects, so the persons figures stay as they are.
    fn add_conduct(&mut self, conduct: &[Suspect]) {
        let mut cube: BTreeMap<(String, RuleCode, SourceKind), usize> = self
            .cube
            .drain(..)
            .map(|(t, code, kind, n)| ((t, code, kind), n))
            .collect();
        for clue in conduct {
            let name = list_name(clue.township.as_deref());
            let i = match self.townships.iter().position(|t| t.name == name) {
                Some(i) => i,
                None => {
                    self.townships.push(TownshipCounts {
                        name: name.to_string(),
                        by_code: RuleCounts::default(),
                        persons: 0,
                    });
                    self.townships.len() - 1
                }
            };
            self.townships[i].by_code[RuleCode::R07] += 1;
            for &kind in &clue.sources {
                *cube
                    .entry((name.to_string(), RuleCode::R07, kind))
                    .or_default() += 1;
                match self.by_source.iter_mut().find(|(k, _, _)| *k == kind) {
                    Some(entry) => entry.1[RuleCode::R07] += 1,
                    None => {
                        let mut codes = RuleCounts::default();
                        codes[RuleCode::R07] = 1;
                        self.by_source.push((kind, codes, 0));
                        self.by_source.sort_by_key(|(k, _, _)| *k);
                    }
                }
            }
        }
        // The cube was ordered by list; keep that order, conduct rows after their list's.
        let order: Vec<String> = self.townships.iter().map(|t| t.name.clone()).collect();
        let mut rows: Vec<_> = cube.into_iter().collect();
        rows.sort_by_key(|((t, code, kind), _)| (order.iter().position(|o| o == t), *code, *kind));
        self.cube = rows
            .into_iter()
            .map(|((t, code, kind), n)| (t, code, kind, n))
            .collect();
    }
}

/// Rejects of ingest and normalise per (source, reason), and per source.
struct RejectCounts {
    by_reason: Vec<(String, String, usize)>,
    per_source: Vec<(String, usize)>,
}

impl RejectCounts {
    fn of(report: &RunReport<'_>) -> RejectCounts {
        let mut rejects: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut per_source: BTreeMap<String, usize> = BTreeMap::new();
        for reject in report
            .ingest
            .rejects
            .iter()
            .chain(&report.normalised.rejects)
        {
            let source = reject
                .kind
                .map(|k| k.label_zh())
                .unwrap_or(UNKNOWN_SOURCE)
                .to_string();
            *rejects
                .entry((source.clone(), reject.reason.clone()))
                .or_default() += 1;
            *per_source.entry(source).or_default() += 1;
        }
        RejectCounts {
            by_reason: rejects
                .into_iter()
                .map(|((source, reason), n)| (source, reason, n))
                .collect(),
            per_source: per_source.into_iter().collect(),
        }
    }
}

/// ID qualities and missing IDs per source that had person records.
fn id_quality(report: &RunReport<'_>) -> Vec<(SourceKind, BTreeMap<IdQuality, usize>, usize)> {
    let normalised = report.normalised;
    normalised
        .kinds()
        .into_iter()
        .map(|kind| {
            (
                kind,
                normalised
                    .id_quality
                    .get(&kind)
                    .cloned()
                    .unwrap_or_default(),
                normalised.missing_ids.get(&kind).copied().unwrap_or(0),
            )
        })
        .collect()
}

/// Persons by how many sources name them, and per pair of sources (most shared first).
struct SourceOverlap {
    by_count: Vec<(usize, usize)>,
    pairs: Vec<(SourceKind, SourceKind, usize)>,
}

impl SourceOverlap {
    /// Persons are counted per combination of sources, on both cores: that reads every
    /// record once. A county has a few hundred combinations, and the figures come from them.
    fn of(report: &RunReport<'_>) -> SourceOverlap {
        let records = &report.normalised.persons;
        let combinations: BTreeMap<SourceKinds, usize> = report
            .linkage
            .persons
            .par_iter()
            .map(|person| {
                person
                    .records
                    .iter()
                    .filter_map(|&i| records.get(i))
                    .map(|r| r.kind)
                    .collect::<SourceKinds>()
            })
            .filter(|kinds| !kinds.is_empty())
            .fold(BTreeMap::new, |mut counts, kinds| {
                *counts.entry(kinds).or_default() += 1;
                counts
            })
            .reduce(BTreeMap::new, |mut all, part| {
                for (kinds, n) in part {
                    *all.entry(kinds).or_default() += n;
                }
                all
            });
        let mut by_count: BTreeMap<usize, usize> = BTreeMap::new();
        let mut pairs: BTreeMap<(SourceKind, SourceKind), usize> = BTreeMap::new();
        for (kinds, n) in combinations {
            *by_count.entry(kinds.len()).or_default() += n;
            let kinds: Vec<SourceKind> = kinds.iter().collect();
            for (i, &a) in kinds.iter().enumerate() {
                for &b in &kinds[i + 1..] {
                    *pairs.entry((a, b)).or_default() += n;
                }
            }
        }
        let mut pairs: Vec<_> = pairs.into_iter().map(|((a, b), n)| (a, b, n)).collect();
        pairs.sort_by(|x, y| y.2.cmp(&x.2).then_with(|| (x.0, x.1).cmp(&(y.0, y.1))));
        SourceOverlap {
            by_count: by_count.into_iter().collect(),
            pairs,
        }
    }
}

/// (file, problem, what it does): missing result-changing fields, files without an ID
/// column, township names the pipeline does not know.
fn data_quality(report: &RunReport<'_>) -> Vec<[String; 3]> {
    let mut rows = Vec::new();
    for file in &report.ingest.files {
        for sheet in &file.sheets {
            let place = match &sheet.sheet {
                Some(name) if file.sheets.len() > 1 => format!("{}!{name}", file.file_name),
                _ => file.file_name.clone(),
            };
            for gap in &sheet.gaps {
                rows.push([
                    place.clone(),
                    format!("缺少 {}", gap.fields_zh()),
                    gap.consequence.to_string(),
                ]);
            }
        }
    }
    for line in report.normalised.unknown_township_lines() {
        rows.push([
            "-".to_string(),
            format!("乡镇名称不在流水线文件中: {line}"),
            "请在流水线文件的 [[townships]] 中加入该乡镇或别名 (aliases)".to_string(),
        ]);
    }
    rows
}

fn run_info(report: &RunReport<'_>) -> Vec<(String, String)> {
    let p = report.pipeline;
    let stats = &report.linkage.stats;
    let rejects = report.ingest.reject_count() + report.normalised.rejects.len();
    let mut info: Vec<(String, String)> = vec![
        ("县".into(), p.pipeline.county.clone()),
        ("运行编号".into(), report.run_id.clone()),
        ("排查基准日 (as_of)".into(), p.as_of.to_string()),
        ("排查起始日 (since)".into(), p.since().to_string()),
        ("loubao 版本".into(), env!("CARGO_PKG_VERSION").into()),
        ("运行结果".into(), report.outcome.label_zh().into()),
        ("流水线文件".into(), p.path.display().to_string()),
        ("输入文件数".into(), report.ingest.files.len().to_string()),
        ("读取记录数".into(), report.ingest.record_count.to_string()),
        (
            "人员记录数".into(),
            report.normalised.person_rows().to_string(),
        ),
        (
            "合并后人数".into(),
            report.linkage.persons.len().to_string(),
        ),
        (
            "疑似人数".into(),
            report.screening.suspects.len().to_string(),
        ),
        (
            "待复核问题数".into(),
            report.screening.review.len().to_string(),
        ),
        ("拒收条数".into(), rejects.to_string()),
        ("身份证号精确链接".into(), stats.exact_links.to_string()),
        ("候选记录对".into(), stats.candidate_pairs.to_string()),
        ("接受的模糊链接".into(), stats.accepted_links.to_string()),
        ("待复核链接".into(), stats.uncertain_links.to_string()),
        (
            "已应用的复核结论: 同一人 (链接)".into(),
            stats.decided_same.to_string(),
        ),
        (
            "已应用的复核结论: 不是同一人 (链接)".into(),
            stats.decided_different.to_string(),
        ),
        ("匹配上阈值".into(), format!("{:.2}", stats.upper_threshold)),
        ("匹配下阈值".into(), format!("{:.2}", stats.lower_threshold)),
    ];
    for (stage, secs) in &report.timings {
        info.push((
            format!("用时 {} (秒)", stage.label_zh()),
            format!("{secs:.3}"),
        ));
    }
    info
}

fn code_headers(first: &str, last: &str) -> Vec<String> {
    std::iter::once(first.to_string())
        .chain(RuleCode::ALL.iter().map(|c| c.code().to_string()))
        .chain(std::iter::once(last.to_string()))
        .collect()
}

fn counts_row(label: &str, by_code: &RuleCounts, total: usize) -> Vec<Cell> {
    std::iter::once(Cell::text(label))
        .chain(by_code.values().map(Cell::Count))
        .chain(std::iter::once(Cell::Count(total)))
        .collect()
}

/// Every sheet of the summary workbook, in order.
pub(crate) fn tables(f: &Figures) -> Vec<Table> {
    let mut sheets = Vec::new();
    suspect_tables(f, &mut sheets);
    input_tables(f, &mut sheets);
    linkage_tables(f, &mut sheets);
    sheets
}

/// Suspects per township and code, per township × code × source, per source.
fn suspect_tables(f: &Figures, sheets: &mut Vec<Table>) {
    let mut t = Table::new("乡镇×疑似类型", &[]);
    t.headers = code_headers("乡镇", "疑似人数");
    let mut totals = RuleCounts::default();
    for town in &f.townships {
        t.rows
            .push(counts_row(&town.name, &town.by_code, town.persons));
        totals += &town.by_code;
    }
    let persons = f.townships.iter().map(|t| t.persons).sum();
    t.rows.push(counts_row("合计", &totals, persons));
    sheets.push(t);

    let mut t = Table::new(
        "乡镇×类型×来源",
        &["乡镇", "疑似类型代码", "疑似类型", "来源", "人数"],
    );
    t.rows = f
        .cube
        .iter()
        .map(|(town, code, kind, n)| {
            vec![
                Cell::text(town.as_str()),
                Cell::text(code.code()),
                Cell::text(code.label_zh()),
                Cell::text(kind.label_zh()),
                Cell::Count(*n),
            ]
        })
        .collect();
    sheets.push(t);

    let mut t = Table::new("来源", &[]);
    t.headers = code_headers("来源", "疑似人数");
    t.rows = f
        .by_source
        .iter()
        .map(|(kind, codes, n)| counts_row(kind.label_zh(), codes, *n))
        .collect();
    sheets.push(t);
}

/// What the sources gave: persons screened, rejects, missing sources, data quality, ID quality.
fn input_tables(f: &Figures, sheets: &mut Vec<Table>) {
    let mut t = Table::new("各来源排查人数", &["来源", "排查人数"]);
    t.rows = f
        .screened
        .iter()
        .map(|(kind, n)| vec![Cell::text(kind.label_zh()), Cell::Count(*n)])
        .collect();
    sheets.push(t);

    let mut t = Table::new("拒收", &["来源", "原因", "条数"]);
    t.rows = f
        .rejects
        .iter()
        .map(|(source, reason, n)| {
            vec![
                Cell::text(source.as_str()),
                Cell::text(reason.as_str()),
                Cell::Count(*n),
            ]
        })
        .collect();
    sheets.push(t);

    let mut t = Table::new("未提供来源", &["来源", "类型键"]);
    t.rows = f
        .missing
        .iter()
        .map(|k| vec![Cell::text(k.label_zh()), Cell::text(k.key())])
        .collect();
    sheets.push(t);

    let mut t = Table::new("数据质量", &["文件", "问题", "影响"]);
    t.rows = f
        .data_quality
        .iter()
        .map(|row| row.iter().map(|c| Cell::text(c.as_str())).collect())
        .collect();
    sheets.push(t);

    let mut t = Table::new("身份证质量", &["来源"]);
    let qualities: BTreeSet<IdQuality> = f
        .id_quality
        .iter()
        .flat_map(|(_, q, _)| q.keys().copied())
        .collect();
    t.headers
        .extend(qualities.iter().map(|q| q.label_zh().to_string()));
    t.headers.push("无身份证号".into());
    t.rows = f
        .id_quality
        .iter()
        .map(|(kind, counts, missing)| {
            std::iter::once(Cell::text(kind.label_zh()))
                .chain(
                    qualities
                        .iter()
                        .map(|q| Cell::Count(counts.get(q).copied().unwrap_or(0))),
                )
                .chain(std::iter::once(Cell::Count(*missing)))
                .collect()
        })
        .collect();
    sheets.push(t);
}

/// How the sources overlap, the match scores, and the run.
fn linkage_tables(f: &Figures, sheets: &mut Vec<Table>) {
    let mut t = Table::new("来源重叠", &["来源数", "人数"]);
    t.rows = f
        .overlap_by_count
        .iter()
        .map(|(k, n)| vec![Cell::Count(*k), Cell::Count(*n)])
        .collect();
    sheets.push(t);

    let mut t = Table::new("两两来源重叠", &["来源甲", "来源乙", "人数"]);
    t.rows = f
        .overlap_pairs
        .iter()
        .map(|(a, b, n)| {
            vec![
                Cell::text(a.label_zh()),
                Cell::text(b.label_zh()),
                Cell::Count(*n),
            ]
        })
        .collect();
    sheets.push(t);

    let mut t = Table::new("匹配分值分布", &["分值下限", "记录对数"]);
    t.rows = f
        .histogram
        .iter()
        .map(|(lower, n)| vec![Cell::Decimal(*lower), Cell::Count(*n)])
        .collect();
    sheets.push(t);

    let mut t = Table::new("运行信息", &["项目", "值"]);
    t.rows = f
        .run_info
        .iter()
        .map(|(k, v)| vec![Cell::text(k.as_str()), Cell::text(v.as_str())])
        .collect();
    sheets.push(t);
}

pub(crate) fn write(out: &mut Output, f: &Figures) -> Result<(), Error> {
    let tables = tables(f);
    let sheets: Vec<Sheet<'_>> = tables.iter().map(Sheet::Table).collect();
    out.write_workbook(&format!("{SUMMARY}.xlsx"), &sheets)
}
