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

use loubao_model::{Link, Linkage, ListColumn, PersonRecord, Role, RuleCode};

use super::write::role_key;

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
                "关联: 流水线没有产生可对应真值的人员记录 ({} 条)",
                l.records
            )?;
        } else {
            writeln!(
            f,
            "关联 (成对): 精确率 {:.4}  召回率 {:.4}  ({} 条人员记录, 真值已知 {}; 真实对 {}, 预测对 {}, 正确 {})",
            ratio(l.correct_pairs as f64, l.predicted_pairs as f64),
            ratio(l.correct_pairs as f64, l.true_pairs as f64),
            l.records,
            l.records_known,
            l.true_pairs,
            l.predicted_pairs,
            l.correct_pairs
            )?;
            write!(f, "{}", self.roll_link)?;
        }
        let Some(folder) = &self.run_folder else {
            return writeln!(f, "输出文件夹中没有完整的运行结果: 先运行 `loubao run`");
        };
        writeln!(f, "名单: {} ({} 行)", folder.display(), self.suspects)?;
        writeln!(f, "代码   精确率  召回率  F1      TP    FP    FN")?;
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
            "乡镇正确: {:.4} ({right}/{all})",
            ratio_usize(right, all)
        )?;
        for (title, rows) in [
            ("疑似对象召回率(按数据缺陷类型)", &self.recall_by_noise),
            ("疑似对象召回率(按来源文件)", &self.recall_by_source),
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
            writeln!(f, "最严重的遗漏与误报:")?;
            for m in &self.misses {
                let kind = if m.false_positive { "误报" } else { "漏报" };
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
            "名册匹配 (按记录): 精确率 {:.4} ({}/{})  召回率 {:.4} ({}/{}); 未匹配 {} 条, 其中待复核 {} 条",
            self.precision(),
            self.linked_right,
            self.linked,
            r.recall(),
            r.found,
            r.total,
            r.total - r.found,
            r.held
        )?;
        for (title, rows) in [
            ("名册匹配召回率(按数据缺陷类型)", &self.by_noise),
            ("名册匹配召回率(按来源文件)", &self.by_source),
        ] {
            writeln!(f, "{title}:")?;
            for (label, t) in rows {
                writeln!(
                    f,
                    "  {label:<28} {:.4} ({}/{})  待复核 {}",
                    t.recall(),
                    t.found,
                    t.total,
                    t.held
                )?;
            }
        }
        let groups = self.miss_groups();
        if !groups.is_empty() {
            writeln!(f, "名册匹配遗漏 (按来源文件与缺陷类型, 每组一例):")?;
        }
        for (file, labels, n, held, m) in groups.into_iter().take(MAX_MISSES) {
            writeln!(
                f,
                "  {file} {labels}: {n} 条 (待复核 {held}); 例 {} {}: {}; {}",
                m.source, m.person_id, m.fields, m.nearest
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
        csv::Reader::from_path(&path)
            .with_context(|| format!("无法读取真值文件 {}", path.display()))
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

fn link_score(known: &Known<'_>) -> LinkScore {
    let (records, linkage) = (known.records, known.linkage);
    let mut by_truth: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_pred: BTreeMap<usize, u64> = BTreeMap::new();
    let mut both: BTreeMap<(usize, &str), u64> = BTreeMap::new();
    let mut score = LinkScore {
        records: records.len(),
        ..LinkScore::default()
    };
    for i in 0..records.len() {
        let Some(person) = known.who(i) else {
            continue;
        };
        let Some(&cluster) = linkage.person_of.get(i) else {
            continue;
        };
        score.records_known += 1;
        *by_truth.entry(person).or_default() += 1;
        *by_pred.entry(cluster).or_default() += 1;
        *both.entry((cluster, person)).or_default() += 1;
    }
    let pairs = |n: &u64| n * n.saturating_sub(1) / 2;
    score.true_pairs = by_truth.values().map(pairs).sum();
    score.predicted_pairs = by_pred.values().map(pairs).sum();
    score.correct_pairs = both.values().map(pairs).sum();
    score
}

/// What became of one screening record whose true person is on a roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RollOutcome {
    /// Its person holds a roll record of its true person.
    Found,
    /// Not found, but an uncertain link joins its person to one that does (待复核).
    Held,
    Missed,
}

/// Found, held for review and all screening records of one breakdown row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RollTally {
    pub found: usize,
    /// Not found, but held for review against the right roll person.
    pub held: usize,
    pub total: usize,
}

impl RollTally {
    pub fn recall(&self) -> f64 {
        ratio_usize(self.found, self.total)
    }

    fn add(&mut self, outcome: RollOutcome) {
        self.total += 1;
        match outcome {
            RollOutcome::Found => self.found += 1,
            RollOutcome::Held => self.held += 1,
            RollOutcome::Missed => {}
        }
    }
}

/// A screening record that was not linked to its person's roll record.
#[derive(Debug, Clone)]
pub struct RollMiss {
    pub source: String,
    pub person_id: String,
    /// The truth's damage labels of the row (`clean` when none).
    pub labels: Vec<String>,
    pub held: bool,
    /// Which fields the record has, for the reader to see what matching had to go on.
    pub fields: String,
    /// The uncertain link that held it, or the best candidate left unlinked for its person.
    pub nearest: String,
}

/// Record-level linkage to the rolls (issue 5), the way a clerk counts it: of the screening
/// records whose person is on an assistance roll, how many reached that roll record.
/// Pairwise figures weigh a person by the square of their claim lines; this weighs each
/// screening record once.
#[derive(Debug, Clone, Default)]
pub struct RollLinkScore {
    /// Screening records whose true person has a roll record.
    pub recall: RollTally,
    /// Screening records (any true person) whose predicted person holds a roll record, and
    /// those whose every such roll record is their own person's. A wrong roll link hides a
    /// person from the lists, whether or not they are on a roll themselves.
    pub linked: usize,
    pub linked_right: usize,
    pub by_noise: Vec<(String, RollTally)>,
    pub by_source: Vec<(String, RollTally)>,
    /// Every miss, in record order.
    pub misses: Vec<RollMiss>,
}

impl RollLinkScore {
    pub fn precision(&self) -> f64 {
        ratio_usize(self.linked_right, self.linked)
    }

    /// Misses grouped by source file and damage labels, largest group first:
    /// (file, labels, misses, held, first example).
    pub fn miss_groups(&self) -> Vec<(&str, String, usize, usize, &RollMiss)> {
        let mut groups: BTreeMap<(&str, String), (usize, usize, &RollMiss)> = BTreeMap::new();
        for m in &self.misses {
            let key = (source_file(&m.source), m.labels.join(";"));
            let g = groups.entry(key).or_insert((0, 0, m));
            g.0 += 1;
            g.1 += usize::from(m.held);
        }
        let mut out: Vec<_> = groups
            .into_iter()
            .map(|((file, labels), (n, held, m))| (file, labels, n, held, m))
            .collect();
        out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (a.0, &a.1).cmp(&(b.0, &b.1))));
        out
    }
}

/// The file part of a source ref (`file!sheet#row`).
fn source_file(source: &str) -> &str {
    source.split(['#', '!']).next().unwrap_or(source)
}

/// A truth noise cell as labels, `clean` when empty.
fn noise_labels(noise: &str) -> Vec<String> {
    let labels: Vec<String> = noise
        .split(';')
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    if labels.is_empty() {
        vec!["clean".into()]
    } else {
        labels
    }
}

/// Person records with the truth's row of each, where known: looked up once, since a
/// county has millions of records and each lookup formats the record's source.
struct Known<'a> {
    records: &'a [PersonRecord],
    linkage: &'a Linkage,
    rows: Vec<Option<&'a TruthRow>>,
}

impl<'a> Known<'a> {
    fn new(records: &'a [PersonRecord], linkage: &'a Linkage, truth: &'a Truth) -> Self {
        let rows = records
            .iter()
            .map(|r| truth.row_of(&r.source.to_string(), r.role))
            .collect();
        Known {
            records,
            linkage,
            rows,
        }
    }

    /// The true person of record `r`.
    fn who(&self, r: usize) -> Option<&'a str> {
        self.rows[r].map(|row| row.person.as_str())
    }

    /// The roll records of predicted person `p`.
    fn rolls_of(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        self.linkage.persons[p]
            .records
            .iter()
            .copied()
            .filter(|&r| self.records[r].kind.is_roll())
    }

    fn holds_roll_of(&self, p: usize, person: &str) -> bool {
        self.rolls_of(p).any(|r| self.who(r) == Some(person))
    }

    /// True persons with at least one roll record.
    fn on_roll(&self) -> BTreeSet<&'a str> {
        self.records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind.is_roll())
            .filter_map(|(i, _)| self.who(i))
            .collect()
    }

    fn outcome(&self, p: usize, person: &str) -> RollOutcome {
        if self.holds_roll_of(p, person) {
            RollOutcome::Found
        } else if self.held_link(p, person).is_some() {
            RollOutcome::Held
        } else {
            RollOutcome::Missed
        }
    }

    /// An uncertain link from person `p` to a person holding a roll record of `person`, and
    /// the record on its far end.
    fn held_link(&self, p: usize, person: &str) -> Option<(&'a Link, usize)> {
        let linkage = self.linkage;
        linkage.persons[p].uncertain.iter().find_map(|&l| {
            let link = &linkage.links[l];
            let far = if linkage.person_of[link.left] == p {
                link.right
            } else {
                link.left
            };
            let q = linkage.person_of[far];
            (q != p && self.holds_roll_of(q, person)).then_some((link, far))
        })
    }

    /// `None` when `p` holds no roll record; else whether all of them are `person`'s.
    fn roll_link_right(&self, p: usize, person: &str) -> Option<bool> {
        let mut rolls = self.rolls_of(p).peekable();
        rolls.peek()?;
        Some(rolls.all(|r| self.who(r) == Some(person)))
    }

    /// What a miss's person came nearest to, in words: the link held for review, else the
    /// best candidate left below the thresholds.
    fn nearest(&self, p: usize, person: &str) -> String {
        if let Some((link, far)) = self.held_link(p, person) {
            return format!(
                "待复核: 与 {} (得分 {:.1})",
                self.records[far].source, link.score
            );
        }
        let Some(near) = &self.linkage.persons[p].nearest else {
            return "无候选".into();
        };
        let q = self.linkage.person_of[near.candidate];
        let whose = if self.holds_roll_of(q, person) {
            "本人名册"
        } else if self.who(near.candidate) == Some(person) {
            "本人其他记录"
        } else {
            "他人"
        };
        format!(
            "最近候选 {} ({whose}, 得分 {:.1})",
            self.records[near.candidate].source, near.score
        )
    }
}

/// The fields a record has: what matching could compare.
fn describe_fields(rec: &PersonRecord) -> String {
    let mut parts = vec![match &rec.id {
        Some(id) => format!("身份证[{}]", id.quality.label_zh()),
        None => "无身份证".to_string(),
    }];
    for (name, present) in [
        ("姓名", rec.name.is_some()),
        ("出生日期", rec.birth_date.is_some()),
        ("性别", rec.sex.is_some()),
        ("电话", !rec.phones.is_empty()),
        ("乡镇", rec.township.is_some()),
        ("村", rec.village.is_some()),
        ("地址", rec.address.is_some()),
        ("户号", rec.household_id.is_some()),
    ] {
        if present {
            parts.push(name.to_string());
        }
    }
    parts.join(" ")
}

fn roll_link_score(known: &Known<'_>) -> RollLinkScore {
    let (records, linkage) = (known.records, known.linkage);
    let on_roll = known.on_roll();
    let mut score = RollLinkScore::default();
    let mut by_noise: BTreeMap<String, RollTally> = BTreeMap::new();
    let mut by_source: BTreeMap<String, RollTally> = BTreeMap::new();
    for (i, rec) in records.iter().enumerate() {
        let (false, Some(person), Some(&p)) =
            (rec.kind.is_roll(), known.who(i), linkage.person_of.get(i))
        else {
            continue;
        };
        if let Some(right) = known.roll_link_right(p, person) {
            score.linked += 1;
            score.linked_right += usize::from(right);
        }
        if !on_roll.contains(person) {
            continue;
        }
        let outcome = known.outcome(p, person);
        let noise = known.rows[i].map_or("", |r| r.noise.as_str());
        let labels = noise_labels(noise);
        score.recall.add(outcome);
        by_source
            .entry(rec.source.file.clone())
            .or_default()
            .add(outcome);
        for label in &labels {
            by_noise.entry(label.clone()).or_default().add(outcome);
        }
        if outcome != RollOutcome::Found {
            score.misses.push(RollMiss {
                person_id: person.to_string(),
                held: outcome == RollOutcome::Held,
                fields: describe_fields(rec),
                nearest: known.nearest(p, person),
                source: rec.source.to_string(),
                labels,
            });
        }
    }
    score.by_noise = by_noise.into_iter().collect();
    score.by_source = by_source.into_iter().collect();
    score
}

/// The newest complete run folder: `2021-06-30`, `2021-06-30_2` …; staging folders are
/// hidden and never count.
fn latest_run(outbox: &Path) -> anyhow::Result<Option<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(outbox) else {
        return Ok(None);
    };
    let mut best: Option<((chrono::NaiveDate, u32), PathBuf)> = None;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() {
            continue;
        }
        let (date, n) = name.split_once('_').unwrap_or((&name, "1"));
        let (Ok(date), Ok(n)) = (
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d"),
            n.parse::<u32>(),
        ) else {
            continue;
        };
        if best.as_ref().is_none_or(|(key, _)| (date, n) > *key) {
            best = Some(((date, n), entry.path()));
        }
    }
    Ok(best.map(|(_, p)| p))
}

#[derive(Debug, Clone)]
struct SuspectRow {
    township: String,
    /// The row's resident ID as written (blank or damaged digits when none was valid).
    id_number: String,
    codes: BTreeSet<RuleCode>,
    refs: Vec<String>,
}

/// Every township list of the folder: the csv files whose first header is 线索编号.
fn read_suspects(folder: &Path) -> anyhow::Result<Vec<SuspectRow>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path)?;
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
            .into_owned();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers()?.clone();
        if headers.get(0) != Some(ListColumn::ClueId.header()) {
            continue;
        }
        let col = |column: ListColumn| headers.iter().position(|h| h == column.header());
        let (Some(t), Some(c), Some(r), Some(i)) = (
            col(ListColumn::Township),
            col(ListColumn::Codes),
            col(ListColumn::SourceRefs),
            col(ListColumn::IdNumber),
        ) else {
            continue;
        };
        for rec in reader.records() {
            let rec = rec.with_context(|| format!("无法读取 {}", path.display()))?;
            out.push(SuspectRow {
                township: rec[t].to_string(),
                // The CSV writes long digit runs after a tab so that spreadsheets keep them text.
                id_number: rec[i].trim().to_string(),
                codes: rec[c]
                    .split(';')
                    .filter_map(|s| RuleCode::from_code(s.trim()))
                    .collect(),
                refs: rec[r]
                    .split(';')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            });
        }
    }
    Ok(out)
}

fn score_lists(report: &mut EvalReport, truth: &Truth, suspects: &[SuspectRow]) {
    // A suspect row with a resident ID is the person holding that ID; without one, it is
    // the true person most of its refs name.
    let mut predicted: BTreeMap<String, BTreeSet<RuleCode>> = BTreeMap::new();
    let mut unmapped: Vec<&SuspectRow> = Vec::new();
    for row in suspects {
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &row.refs {
            if let Some((p, weight)) = truth.subject_of(r) {
                *votes.entry(p).or_default() += weight;
            }
        }
        let by_id = truth.by_id.get(&row.id_number).map(String::as_str);
        let by_votes = votes
            .iter()
            .max_by_key(|(p, n)| (**n, std::cmp::Reverse(**p)))
            .map(|(p, _)| *p);
        let Some(person) = by_id.or(by_votes) else {
            unmapped.push(row);
            continue;
        };
        report.right_township.1 += 1;
        if truth.township.get(person) == Some(&row.township) {
            report.right_township.0 += 1;
        }
        predicted
            .entry(person.to_string())
            .or_default()
            .extend(&row.codes);
    }
    let mut misses = Vec::new();
    for code in RuleCode::ALL {
        let exp: BTreeSet<&String> = truth
            .expected
            .iter()
            .filter(|(_, c)| c.contains(&code))
            .map(|(p, _)| p)
            .collect();
        let got: BTreeSet<&String> = predicted
            .iter()
            .filter(|(_, c)| c.contains(&code))
            .map(|(p, _)| p)
            .collect();
        let unmapped_fp = unmapped.iter().filter(|r| r.codes.contains(&code)).count();
        report.codes.push(CodeScore {
            code,
            true_positives: exp.intersection(&got).count(),
            false_positives: got.difference(&exp).count() + unmapped_fp,
            false_negatives: exp.difference(&got).count(),
        });
        for p in exp.difference(&got) {
            misses.push(Miss {
                false_positive: false,
                person_id: (*p).clone(),
                code,
                reason: miss_reason(truth, p),
            });
        }
        for p in got.difference(&exp) {
            let reason = match truth.expected.get(*p) {
                Some(codes) if !codes.is_empty() => {
                    let codes: Vec<&str> = codes.iter().map(|c| c.code()).collect();
                    format!("应为 {}", codes.join(";"))
                }
                _ => "不应检出: 已纳入保障、已获救助或未达条件".to_string(),
            };
            misses.push(Miss {
                false_positive: true,
                person_id: (*p).clone(),
                code,
                reason,
            });
        }
        for r in unmapped.iter().filter(|r| r.codes.contains(&code)) {
            misses.push(Miss {
                false_positive: true,
                person_id: "?".into(),
                code,
                reason: format!("来源记录无法对应真实人员: {}", r.refs.join(";")),
            });
        }
    }
    // Misses of rarer codes first: each weighs more on that code's F1.
    let weight = |m: &Miss| {
        let c = &report.codes[m.code as usize];
        c.true_positives + c.false_negatives
    };
    misses.sort_by_key(|m| (weight(m), m.code, m.person_id.clone()));
    misses.truncate(MAX_MISSES);
    report.misses = misses;

    let mut by_noise: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_source: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (person, codes) in &truth.expected {
        for code in codes {
            let found = predicted.get(person).is_some_and(|c| c.contains(code));
            let mut labels: BTreeSet<String> = BTreeSet::new();
            let mut files: BTreeSet<String> = BTreeSet::new();
            for (source, noise) in truth.screening_rows(person) {
                files.insert(source_file(source).to_string());
                labels.extend(noise_labels(noise));
            }
            // A person is clean only when every row is (or has none).
            if labels.len() > 1 {
                labels.remove("clean");
            }
            if labels.is_empty() {
                labels.insert("clean".into());
            }
            for (map, keys) in [(&mut by_noise, labels), (&mut by_source, files)] {
                for k in keys {
                    let e = map.entry(k).or_default();
                    e.1 += 1;
                    e.0 += usize::from(found);
                }
            }
        }
    }
    report.recall_by_noise = by_noise.into_iter().map(|(k, (a, b))| (k, a, b)).collect();
    report.recall_by_source = by_source.into_iter().map(|(k, (a, b))| (k, a, b)).collect();
}

/// Why an expected suspect may have been missed: its screening rows and their defects.
fn miss_reason(truth: &Truth, person: &str) -> String {
    let rows: Vec<String> = truth
        .screening_rows(person)
        .take(3)
        .map(|(source, noise)| match noise.as_str() {
            "" => source.clone(),
            n => format!("{source} ({n})"),
        })
        .collect();
    format!("未出现在名单中; 来源行: {}", rows.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use loubao_model::{LinkDecision, Person, SourceKind, SourceRef};

    fn truth() -> Truth {
        let mut t = Truth {
            rows: BTreeMap::new(),
            by_person: BTreeMap::new(),
            township: BTreeMap::new(),
            by_id: BTreeMap::new(),
            expected: BTreeMap::new(),
        };
        for (source, person, noise) in [
            ("a.csv#2", "P1", ""),
            ("b.csv#3", "P1", "excel_float"),
            ("a.csv#3", "P2", ""),
            ("a.csv#4", "P3", ""),
        ] {
            t.rows.entry(source.into()).or_default().push(TruthRow {
                person: person.into(),
                role: "subject".into(),
                noise: noise.into(),
            });
            t.by_person
                .entry(person.into())
                .or_default()
                .push((source.into(), noise.into()));
            t.township.insert(person.into(), "城关镇".into());
        }
        t.expected.insert("P1".into(), [RuleCode::R01].into());
        t.expected
            .insert("P2".into(), [RuleCode::R01, RuleCode::R03].into());
        t
    }

    #[test]
    fn suspects_map_to_the_majority_person_and_are_scored_per_code() {
        let rows = vec![
            SuspectRow {
                township: "城关镇".into(),
                id_number: String::new(),
                codes: [RuleCode::R01].into(),
                refs: vec!["a.csv#2".into(), "b.csv#3".into()],
            },
            SuspectRow {
                township: "柳林镇".into(),
                id_number: String::new(),
                codes: [RuleCode::R01].into(),
                refs: vec!["a.csv#4".into()],
            },
        ];
        let mut report = EvalReport::default();
        score_lists(&mut report, &truth(), &rows);
        let r01 = report.code(RuleCode::R01).unwrap();
        assert_eq!(
            (r01.true_positives, r01.false_positives, r01.false_negatives),
            (1, 1, 1)
        );
        let r03 = report.code(RuleCode::R03).unwrap();
        assert_eq!((r03.true_positives, r03.false_negatives), (0, 1));
        assert_eq!(report.right_township, (1, 2));
        assert!(report
            .recall_by_noise
            .contains(&("excel_float".into(), 1, 1)));
        assert_eq!(report.misses.len(), 3);
    }

    #[test]
    fn a_child_row_outweighs_a_parent_record_cited_as_evidence() {
        let mut t = truth();
        for (role, person) in [("subject", "P7"), ("father", "P8"), ("mother", "P9")] {
            t.rows
                .entry("困境儿童.xlsx#4".into())
                .or_default()
                .push(TruthRow {
                    person: person.into(),
                    role: role.into(),
                    noise: String::new(),
                });
        }
        t.rows
            .entry("残联_残疾人证.xlsx#9".into())
            .or_default()
            .push(TruthRow {
                person: "P9".into(),
                role: "subject".into(),
                noise: String::new(),
            });
        t.township.insert("P7".into(), "城关镇".into());
        t.expected.insert("P7".into(), [RuleCode::R05].into());
        let rows = vec![SuspectRow {
            township: "城关镇".into(),
            id_number: String::new(),
            codes: [RuleCode::R05].into(),
            refs: vec!["残联_残疾人证.xlsx#9".into(), "困境儿童.xlsx#4".into()],
        }];
        let mut report = EvalReport::default();
        score_lists(&mut report, &t, &rows);
        assert_eq!(report.code(RuleCode::R05).unwrap().true_positives, 1);
    }

    #[test]
    fn a_row_with_a_resident_id_is_the_person_holding_it() {
        let mut t = truth();
        t.by_id.insert("410123199202181143".into(), "P2".into());
        // Its refs alone would name P1.
        let rows = vec![SuspectRow {
            township: "城关镇".into(),
            id_number: "410123199202181143".into(),
            codes: [RuleCode::R03].into(),
            refs: vec!["a.csv#2".into(), "b.csv#3".into()],
        }];
        let mut report = EvalReport::default();
        score_lists(&mut report, &t, &rows);
        assert_eq!(report.code(RuleCode::R03).unwrap().true_positives, 1);
    }

    fn person_record(kind: SourceKind, source: &str) -> PersonRecord {
        let (file, row) = source.split_once('#').unwrap();
        PersonRecord {
            kind,
            role: Role::Subject,
            source: SourceRef {
                file: file.into(),
                sheet: None,
                row: row.parse().unwrap(),
            },
            name: None,
            id: None,
            birth_date: None,
            sex: None,
            phones: vec![],
            township: None,
            village: None,
            address: None,
            household_id: None,
            observation: loubao_model::Observation::IdentityOnly,
        }
    }

    /// Persons from groups of record indices; each link is attached as `consolidate` does.
    fn linkage(records: usize, groups: &[&[usize]], links: Vec<Link>) -> Linkage {
        let mut person_of = vec![usize::MAX; records];
        let mut persons: Vec<Person> = Vec::new();
        for (p, group) in groups.iter().enumerate() {
            for &r in *group {
                person_of[r] = p;
            }
            persons.push(Person {
                records: group.to_vec(),
                links: vec![],
                uncertain: vec![],
                nearest: None,
            });
        }
        for (i, link) in links.iter().enumerate() {
            let (pl, pr) = (person_of[link.left], person_of[link.right]);
            if link.decision == LinkDecision::Uncertain {
                persons[pl].uncertain.push(i);
                persons[pr].uncertain.push(i);
            } else {
                persons[pl].links.push(i);
            }
        }
        Linkage {
            persons,
            links,
            person_of,
            ..Linkage::default()
        }
    }

    fn link(left: usize, right: usize, decision: LinkDecision) -> Link {
        Link {
            left,
            right,
            decision,
            score: 5.0,
            evidence: vec![],
        }
    }

    #[test]
    fn roll_links_are_scored_per_screening_record() {
        use SourceKind::{Dibao, Disability, Hotline, Medical, Orphan, Petition, Tekun};
        let rows = [
            // P1: linked to its roll record (found).
            (Dibao, "民政_低保.xlsx#4", "P1", ""),
            (Medical, "医保.csv#2", "P1", ""),
            // P2: left alone (missed).
            (Medical, "医保.csv#3", "P2", "excel_float"),
            (Tekun, "民政_特困.xlsx#5", "P2", ""),
            // P3: an uncertain link to its roll record (held for review).
            (Hotline, "热线.csv#4", "P3", "no_id;name_space"),
            (Dibao, "民政_低保.xlsx#6", "P3", ""),
            // P4: linked to P5's roll record (a wrong roll link, and missed).
            (Petition, "信访.xlsx#7", "P4", "homophone"),
            (Dibao, "民政_低保.xlsx#8", "P4", ""),
            (Dibao, "民政_低保.xlsx#9", "P5", ""),
            // P6: on no roll, joined to P5's roll record too: a wrong roll link that would
            // hide them from the lists, outside recall.
            (Medical, "医保.csv#10", "P6", ""),
            // P7: found, but its person also holds P8's roll record (a wrong roll link).
            (Disability, "残联.xlsx#11", "P7", ""),
            (Dibao, "民政_低保.xlsx#12", "P7", ""),
            (Orphan, "民政_孤儿.xlsx#13", "P8", ""),
        ];
        let mut t = truth();
        let mut records = Vec::new();
        for (kind, source, person, noise) in rows {
            t.rows.entry(source.into()).or_default().push(TruthRow {
                person: person.into(),
                role: "subject".into(),
                noise: noise.into(),
            });
            records.push(person_record(kind, source));
        }
        let linkage = linkage(
            records.len(),
            &[
                &[0, 1],
                &[2],
                &[3],
                &[4],
                &[5],
                &[6, 8, 9],
                &[7],
                &[10, 11, 12],
            ],
            vec![
                link(0, 1, LinkDecision::Exact),
                link(4, 5, LinkDecision::Uncertain),
                link(6, 8, LinkDecision::Accepted),
                link(8, 9, LinkDecision::Accepted),
                link(10, 11, LinkDecision::Exact),
                link(10, 12, LinkDecision::Accepted),
            ],
        );
        let score = roll_link_score(&Known::new(&records, &linkage, &t));
        let tally = |found, held, total| RollTally { found, held, total };
        assert_eq!(score.recall, tally(2, 1, 5));
        assert_eq!((score.linked_right, score.linked), (1, 4));
        assert_eq!(
            score.by_noise,
            vec![
                ("clean".to_string(), tally(2, 0, 2)),
                ("excel_float".to_string(), tally(0, 0, 1)),
                ("homophone".to_string(), tally(0, 0, 1)),
                ("name_space".to_string(), tally(0, 1, 1)),
                ("no_id".to_string(), tally(0, 1, 1)),
            ]
        );
        assert_eq!(
            score.by_source,
            vec![
                ("信访.xlsx".to_string(), tally(0, 0, 1)),
                ("医保.csv".to_string(), tally(1, 0, 2)),
                ("残联.xlsx".to_string(), tally(1, 0, 1)),
                ("热线.csv".to_string(), tally(0, 1, 1)),
            ]
        );
        let missed: Vec<(&str, bool)> = score
            .misses
            .iter()
            .map(|m| (m.source.as_str(), m.held))
            .collect();
        assert_eq!(
            missed,
            [
                ("医保.csv#3", false),
                ("热线.csv#4", true),
                ("信访.xlsx#7", false)
            ]
        );
    }

    #[test]
    fn latest_run_orders_suffixes_numerically_and_skips_staging() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "2021-06-30",
            "2021-06-30_2",
            "2021-06-30_10",
            ".staging-2021-07-01",
            "2021-06-29_3",
        ] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        let best = latest_run(dir.path()).unwrap().unwrap();
        assert!(best.ends_with("2021-06-30_10"));
    }
}
