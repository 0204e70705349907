//! Rules: decide who qualifies on each source, who is covered or aided, and which of
//! R01–R06 fire for each consolidated person (SPEC 6). Output: one `Suspect` per person,
//! and one conduct clue (R07) per complaint about how a case was handled.
//!
//! `qualify` reads the screening sources (SPEC 3.2), `coverage` the rolls (`stretches`
//! tells each pass which records are its own), `checks` holds the six rules, `evidence`
//! words the 依据, and `suspects` builds the rows. A person whose
//! link is uncertain gets no coverage-dependent code: if he would have been screened he goes
//! to the review list instead — unless no answer could change his row. Only R06, which rests
//! on the request records alone, still fires for him.

mod checks;
mod coverage;
pub mod evidence;
mod explain;
pub mod qualify;
mod stretches;
mod suspects;
pub mod trace;

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::config::RuleSettings;
use crate::model::{
    Finding, Linkage, PersonRecord, QuestionId, ReviewItem, Role, RuleCode, SourceKind,
    SourceKinds, Suspect,
};

pub use coverage::{active_on, aided_in};
pub use explain::explain;
pub use qualify::{medical_columns, medical_totals_above, MedicalColumns, MedicalTotal};
use suspects::Doubt;
pub use suspects::{clue_id, conduct_request};

/// Everything the rules need, borrowed from the earlier stages.
pub struct ScreeningInput<'a> {
    pub records: &'a [PersonRecord],
    pub linkage: &'a Linkage,
    pub settings: &'a RuleSettings,
    pub since: NaiveDate,
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, Default)]
pub struct Screening {
    /// Sorted by township, village, number of codes (desc), name.
    pub suspects: Vec<Suspect>,
    /// The identity questions of persons who would have been screened but whose link is
    /// uncertain, in link order.
    pub review: Vec<ReviewItem>,
    /// 服务问题线索 (R07), one per complaint, sorted by township, date and clue id: they
    /// concern a township's staff, so they are listed for the county, not the township.
    pub conduct: Vec<Suspect>,
    /// Persons qualifying for screening, per source.
    pub screened: BTreeMap<SourceKind, usize>,
}

impl Screening {
    /// Every clue of the run for the ledger: the suspects and the conduct clues (R07), which
    /// differ only in the list they go to.
    pub fn clues(&self) -> Vec<Suspect> {
        self.suspects.iter().chain(&self.conduct).cloned().collect()
    }
}

pub fn screen(input: &ScreeningInput<'_>) -> Screening {
    let stretches = stretches::stretches(input.records);
    let (facts, cover) = rayon::join(
        || qualify::assess(input, &stretches),
        || coverage::coverage(input, &stretches),
    );

    // Every screening source supplied this run gets a count, zero included.
    let mut supplied = SourceKinds::default();
    for s in &stretches {
        if s.role == Role::Subject && !s.kind.is_roll() {
            supplied.insert(s.kind);
        }
    }
    let mut screened: BTreeMap<SourceKind, usize> = supplied.iter().map(|k| (k, 0)).collect();
    let mut suspects = Vec::new();
    // Per uncertain link: the persons waiting on it, with the reason each gives.
    let mut review: BTreeMap<usize, Vec<(usize, String)>> = BTreeMap::new();
    let mut conduct: BTreeMap<String, Suspect> = BTreeMap::new();

    // Persons are judged on both cores; what they yield is gathered in person order.
    let judgements: Vec<(usize, Judgement)> = (0..input.linkage.persons.len())
        .into_par_iter()
        .filter_map(|index| {
            let judgement = judge(input, index, &facts[index], &cover);
            (!judgement.is_empty()).then_some((index, judgement))
        })
        .collect();
    // A fact list and a coverage per person, freed off the critical path: the run goes on
    // to the ledger's plan on one core meanwhile.
    rayon::spawn(move || drop((facts, cover)));
    for (index, judgement) in judgements {
        // Identical complaint rows are one clue.
        for clue in judgement.conduct {
            match conduct.entry(clue.clue_id.clone()) {
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(clue);
                }
                std::collections::btree_map::Entry::Occupied(mut e) => {
                    let known = e.get_mut();
                    known.source_refs.extend(clue.source_refs);
                    known.source_refs.sort();
                    known.source_refs.dedup();
                }
            }
        }
        for kind in judgement.qualifies_on.iter() {
            *screened.entry(kind).or_default() += 1;
        }
        for (link, reason) in judgement.review {
            review.entry(link).or_default().push((index, reason));
        }
        suspects.extend(judgement.suspect);
    }

    suspects.par_sort_by(|a, b| {
        // `None` sorts first in `Option`; unplaced suspects go last.
        (
            a.township.is_none(),
            &a.township,
            a.village.is_none(),
            &a.village,
        )
            .cmp(&(
                b.township.is_none(),
                &b.township,
                b.village.is_none(),
                &b.village,
            ))
            .then_with(|| Reverse(a.findings.len()).cmp(&Reverse(b.findings.len())))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.clue_id.cmp(&b.clue_id))
    });
    let mut conduct: Vec<Suspect> = conduct.into_values().collect();
    conduct.sort_by(|a, b| {
        (a.township.is_none(), &a.township, suspects::conduct_date(a))
            .cmp(&(b.township.is_none(), &b.township, suspects::conduct_date(b)))
            .then_with(|| a.clue_id.cmp(&b.clue_id))
    });
    Screening {
        suspects,
        conduct,
        review: questions(input.linkage, review),
        screened,
    }
}

/// What the rules make of one person.
#[derive(Default)]
struct Judgement {
    /// Service clues (R07) from his complaints.
    conduct: Vec<Suspect>,
    /// The screening sources he qualifies on.
    qualifies_on: SourceKinds,
    /// The uncertain links his result waits on, with the reason it gives.
    review: Vec<(usize, String)>,
    suspect: Option<Suspect>,
}

impl Judgement {
    fn is_empty(&self) -> bool {
        self.conduct.is_empty()
            && self.qualifies_on.is_empty()
            && self.review.is_empty()
            && self.suspect.is_none()
    }
}

/// One person's judgement: his service clues, the sources he qualifies on, and either his
/// row or the identity questions his row waits on.
fn judge(
    input: &ScreeningInput<'_>,
    index: usize,
    facts: &qualify::PersonFacts,
    cover: &[coverage::Coverage],
) -> Judgement {
    let person = &input.linkage.persons[index];
    // A complaint rests on its own record, like R06: doubt about the person holds nothing
    // back.
    let conduct = checks::conduct(facts)
        .into_iter()
        .map(|finding| suspects::conduct(input, index, finding))
        .collect();
    let qualifies_on: SourceKinds = facts.qualifying.iter().map(|f| f.kind()).collect();
    let findings = checks::findings(facts, &cover[index], input.settings);
    let open = undecided(input, index);
    let mut judgement = Judgement {
        conduct,
        ..Judgement::default()
    };
    if open && answer_matters(input, index, facts, cover, &findings) {
        if facts.qualifies() {
            let reason = review_reason(input, index, qualifies_on, &findings);
            judgement.review = person.uncertain.iter().map(|&l| (l, reason(l))).collect();
        }
        // An overdue request is overdue whoever made it: R06 rests on the request records
        // alone, so the doubt about the person does not hold it back.
        let overdue: Vec<Finding> = findings
            .into_iter()
            .filter(|f| f.code == RuleCode::R06)
            .collect();
        if !overdue.is_empty() {
            judgement.suspect = Some(suspects::build(input, index, overdue, Doubt::Asked));
        }
    } else if !findings.is_empty() {
        let doubt = if open { Doubt::Moot } else { Doubt::None };
        judgement.suspect = Some(suspects::build(input, index, findings, doubt));
    }
    judgement.qualifies_on = qualifies_on;
    judgement
}

/// The review list: one item per identity question, its links in link order, each reason
/// said once.
fn questions(linkage: &Linkage, reasons: BTreeMap<usize, Vec<(usize, String)>>) -> Vec<ReviewItem> {
    let mut items: Vec<ReviewItem> = Vec::new();
    let mut item_of: BTreeMap<QuestionId, usize> = BTreeMap::new();
    for (link, link_reasons) in reasons {
        let Some(&question) = linkage.questions.get(&link) else {
            continue;
        };
        let i = *item_of.entry(question).or_insert_with(|| {
            items.push(ReviewItem {
                question,
                links: Vec::new(),
                persons: Vec::new(),
                reason: String::new(),
            });
            items.len() - 1
        });
        let item = &mut items[i];
        item.links.push(link);
        for (person, reason) in link_reasons {
            if !item.persons.contains(&person) {
                item.persons.push(person);
            }
            if !item.reason.split("；").any(|r| r == reason) {
                if !item.reason.is_empty() {
                    item.reason.push('；');
                }
                item.reason.push_str(&reason);
            }
        }
    }
    items
}

/// Whether an uncertain link leaves this person's result open. It does when the person has
/// no valid ID of its own (its identity is the open question), or when the record on the
/// other side belongs to someone on a roll (its coverage is the open question). A person
/// anchored by a valid ID whose only doubt is whether some ID-less non-roll record is also
/// his keeps his findings; that other record's person goes to review instead.
fn undecided(input: &ScreeningInput<'_>, index: usize) -> bool {
    let linkage = input.linkage;
    let person = &linkage.persons[index];
    if person.uncertain.is_empty() {
        return false;
    }
    let anchored = person.records.iter().any(|&r| {
        input.records[r]
            .id
            .as_ref()
            .is_some_and(|id| id.quality.is_valid())
    });
    if !anchored {
        return true;
    }
    person.uncertain.iter().any(|&l| {
        let link = linkage.link(l);
        let other = link.other_end(|r| linkage.person_of[r] == index);
        linkage.persons[linkage.person_of[other]]
            .records
            .iter()
            .any(|&r| input.records[r].kind.is_roll())
    })
}

/// Whether answering an undecided person's identity questions could change his row. It
/// cannot when a candidate's person holds roll records only (no facts to add) and joining
/// them changes no code — a lapsed roll record, say — for every candidate. Then the person is judged as he stands, and nobody is asked.
fn answer_matters(
    input: &ScreeningInput<'_>,
    index: usize,
    facts: &qualify::PersonFacts,
    cover: &[coverage::Coverage],
    findings: &[Finding],
) -> bool {
    let codes = |f: &[Finding]| f.iter().map(|f| f.code).collect::<Vec<_>>();
    let own = codes(findings);
    let linkage = input.linkage;
    linkage.persons[index].uncertain.iter().any(|&l| {
        let link = linkage.link(l);
        let end = link.other_end(|r| linkage.person_of[r] == index);
        let other = linkage.person_of[end];
        let only_rolls = linkage.persons[other]
            .records
            .iter()
            .all(|&r| input.records[r].kind.is_roll());
        if !only_rolls {
            return true;
        }
        let joined = cover[index].joined_with(&cover[other]);
        codes(&checks::findings(facts, &joined, input.settings)) != own
    })
}

/// Why a qualifying person was not decided, naming what he qualifies on and which codes
/// would fire if the uncertain link were confirmed.
fn review_reason<'a>(
    input: &'a ScreeningInput<'_>,
    index: usize,
    kinds: SourceKinds,
    findings: &[Finding],
) -> impl Fn(usize) -> String + 'a {
    let name = suspects::display_name(input, &input.linkage.persons[index]);
    let sources: Vec<&str> = kinds.iter().map(evidence::source_short).collect();
    let mut head = format!("{name} 有筛查资格({})", sources.join("、"));
    if !findings.is_empty() {
        let codes: Vec<&str> = findings.iter().map(|f| f.code.code()).collect();
        // The findings are those of the person as linked now, without the doubtful record.
        head.push_str(&format!(", 若不是同一人将列为 {} 疑似", codes.join(";")));
    }
    let stats = &input.linkage.stats;
    move |link| {
        format!(
            "{head}; 但与另一记录的匹配不确定({}), 不予判定, 请人工复核",
            score_in_words(
                input.linkage.link(link).score,
                stats.lower_threshold,
                stats.upper_threshold
            )
        )
    }
}

/// An uncertain link's score against the thresholds, truthfully: most lie between them,
/// but a namesake or a shared damaged ID is held below the lower one, and two candidates
/// too close to tell apart can both lie above the upper one.
fn score_in_words(score: f64, lower: f64, upper: f64) -> String {
    if score < lower {
        format!("得分 {score:.1}, 低于下阈值 {lower:.1}, 但无法排除是同一人")
    } else if score >= upper {
        format!("得分 {score:.1}, 达到上阈值 {upper:.1}, 但另有得分相近的候选")
    } else {
        format!("得分 {score:.1}, 介于阈值 {lower:.1} 与 {upper:.1} 之间")
    }
}

#[cfg(test)]
mod tests;
