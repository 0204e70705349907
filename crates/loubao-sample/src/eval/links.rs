//! Link scores: pairwise over records that share a true person, and record by record for
//! the screening records whose person is on a roll.

use super::*;
use loubao_lang::{pick, tr};

pub(super) fn link_score(known: &Known<'_>) -> LinkScore {
    let linkage = known.linkage;
    let mut by_truth: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_pred: BTreeMap<usize, u64> = BTreeMap::new();
    let mut both: BTreeMap<(usize, &str), u64> = BTreeMap::new();
    let mut score = LinkScore {
        records: known.lines.len(),
        ..LinkScore::default()
    };
    for line in &known.lines {
        let Some(person) = line.truth.map(|row| row.person.as_str()) else {
            continue;
        };
        let Some(&cluster) = linkage.person_of.get(line.record) else {
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
pub(super) enum RollOutcome {
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

    /// Recall counting a record held for review against its own roll person as found.
    pub fn recall_with_held(&self) -> f64 {
        ratio_usize(self.found + self.held, self.total)
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
pub(super) fn source_file(source: &str) -> &str {
    source.split(['#', '!']).next().unwrap_or(source)
}

/// A truth noise cell as labels, `clean` when empty.
pub(super) fn noise_labels(noise: &str) -> Vec<String> {
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
pub(super) struct Known<'a> {
    pub(super) records: &'a [PersonRecord],
    pub(super) linkage: &'a Linkage,
    /// The truth row of each record's own (first) row.
    pub(super) rows: Vec<Option<&'a TruthRow>>,
    /// Every source row the records stand for, in record order: the figures count rows,
    /// whether or not normalise joined a person's claim lines into one record.
    pub(super) lines: Vec<Line<'a>>,
}

/// One source row of a person record and the truth's row for it.
pub(super) struct Line<'a> {
    pub(super) record: usize,
    pub(super) source: String,
    pub(super) truth: Option<&'a TruthRow>,
}

impl<'a> Known<'a> {
    pub(super) fn new(records: &'a [PersonRecord], linkage: &'a Linkage, truth: &'a Truth) -> Self {
        let lines: Vec<Line<'a>> = records
            .iter()
            .enumerate()
            .flat_map(|(record, r)| {
                r.sources().map(move |source| {
                    let source = source.to_string();
                    Line {
                        record,
                        truth: truth.row_of(&source, r.role),
                        source,
                    }
                })
            })
            .collect();
        let mut rows = vec![None; records.len()];
        for line in lines.iter().rev() {
            rows[line.record] = line.truth;
        }
        Known {
            records,
            linkage,
            rows,
            lines,
        }
    }

    /// The true person of record `r`.
    pub(super) fn who(&self, r: usize) -> Option<&'a str> {
        self.rows[r].map(|row| row.person.as_str())
    }

    /// The roll records of predicted person `p`.
    pub(super) fn rolls_of(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        self.linkage.persons[p]
            .records
            .iter()
            .copied()
            .filter(|&r| self.records[r].kind.is_roll())
    }

    pub(super) fn holds_roll_of(&self, p: usize, person: &str) -> bool {
        self.rolls_of(p).any(|r| self.who(r) == Some(person))
    }

    /// True persons with at least one roll record.
    pub(super) fn on_roll(&self) -> BTreeSet<&'a str> {
        self.records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind.is_roll())
            .filter_map(|(i, _)| self.who(i))
            .collect()
    }

    pub(super) fn outcome(&self, p: usize, person: &str) -> RollOutcome {
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
    pub(super) fn held_link(
        &self,
        p: usize,
        person: &str,
    ) -> Option<(std::borrow::Cow<'a, Link>, usize)> {
        let linkage = self.linkage;
        linkage.persons[p].uncertain.iter().find_map(|&l| {
            let link = linkage.link(l);
            let far = link.other_end(|r| linkage.person_of[r] == p);
            let q = linkage.person_of[far];
            (q != p && self.holds_roll_of(q, person)).then_some((link, far))
        })
    }

    /// `None` when `p` holds no roll record; else whether all of them are `person`'s.
    pub(super) fn roll_link_right(&self, p: usize, person: &str) -> Option<bool> {
        let mut rolls = self.rolls_of(p).peekable();
        rolls.peek()?;
        Some(rolls.all(|r| self.who(r) == Some(person)))
    }

    /// What a miss's person came nearest to, in words: the link held for review, else the
    /// best candidate left below the thresholds.
    pub(super) fn nearest(&self, p: usize, person: &str) -> String {
        if let Some((link, far)) = self.held_link(p, person) {
            return tr!(
                "待复核: 与 {} (得分 {:.1})",
                "held for review: with {} (score {:.1})",
                self.records[far].source,
                link.score
            );
        }
        let Some(near) = &self.linkage.persons[p].nearest else {
            return pick("无候选", "no candidate").into();
        };
        let q = self.linkage.person_of[near.candidate];
        let whose = if self.holds_roll_of(q, person) {
            pick("本人名册", "own roll")
        } else if self.who(near.candidate) == Some(person) {
            pick("本人其他记录", "own other record")
        } else {
            pick("他人", "someone else")
        };
        tr!(
            "最近候选 {} ({whose}, 得分 {:.1})",
            "nearest candidate {} ({whose}, score {:.1})",
            self.records[near.candidate].source,
            near.score
        )
    }
}

/// The fields a record has: what matching could compare.
fn describe_fields(rec: &PersonRecord) -> String {
    let mut parts = vec![match &rec.id {
        Some(id) => tr!(
            "身份证[{}]",
            "ID[{}]",
            pick(id.quality.label_zh(), id.quality.label_en())
        ),
        None => pick("无身份证", "no ID").to_string(),
    }];
    for (name, present) in [
        (pick("姓名", "name"), rec.name.is_some()),
        (pick("出生日期", "birth date"), rec.birth_date.is_some()),
        (pick("性别", "sex"), rec.sex.is_some()),
        (pick("电话", "phone"), !rec.phones().is_empty()),
        (pick("乡镇", "township"), rec.place.township.is_some()),
        (pick("村", "village"), rec.place.village.is_some()),
        (pick("地址", "address"), rec.place.address.is_some()),
        (pick("户号", "household"), rec.household_id().is_some()),
    ] {
        if present {
            parts.push(name.to_string());
        }
    }
    parts.join(" ")
}

pub(super) fn roll_link_score(known: &Known<'_>) -> RollLinkScore {
    let (records, linkage) = (known.records, known.linkage);
    let on_roll = known.on_roll();
    let mut score = RollLinkScore::default();
    let mut by_noise: BTreeMap<String, RollTally> = BTreeMap::new();
    let mut by_source: BTreeMap<String, RollTally> = BTreeMap::new();
    for line in &known.lines {
        let rec = &records[line.record];
        let (false, Some(truth), Some(&p)) = (
            rec.kind.is_roll(),
            line.truth,
            linkage.person_of.get(line.record),
        ) else {
            continue;
        };
        let person = truth.person.as_str();
        if let Some(right) = known.roll_link_right(p, person) {
            score.linked += 1;
            score.linked_right += usize::from(right);
        }
        if !on_roll.contains(person) {
            continue;
        }
        let outcome = known.outcome(p, person);
        let noise = truth.noise.as_str();
        let labels = noise_labels(noise);
        score.recall.add(outcome);
        by_source
            .entry(rec.source.file().to_string())
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
                source: line.source.clone(),
                labels,
            });
        }
    }
    score.by_noise = by_noise.into_iter().collect();
    score.by_source = by_source.into_iter().collect();
    score
}
