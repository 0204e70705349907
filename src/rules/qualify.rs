//! Per-source qualification (SPEC 3.2): what each screening record says about its person.
//!
//! Record-level tests are pure functions of one row's typed `Observation` and the settings; the medical
//! threshold is the exception, since it is a sum over a person's claim lines and the
//! extract can run to millions of lines, so it is summed over columns of the claim lines
//! on every core. Gathering the facts per consolidated person happens in `assess`.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use rayon::prelude::*;

use super::evidence;
use super::stretches::{read_by, Pass, Stretch};
use super::ScreeningInput;
use crate::config::RuleSettings;
use crate::model::{
    ChildRow, Disability, Fact, FactDetail, Observation, PersonRecord, Request, Role, SourceKind,
    SourceRef, Unemployment,
};
use crate::normalise::to_cents;

/// Screening window `[since, as_of]`, both ends included.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub since: NaiveDate,
    pub as_of: NaiveDate,
}

impl Window {
    pub fn contains(self, date: NaiveDate) -> bool {
        self.since <= date && date <= self.as_of
    }
}

// ---------------------------------------------------------------------------------------
// Medical: columnar aggregation.

/// The medical claim lines as plain columns, one entry per line.
#[derive(Debug, Clone, Default)]
pub struct MedicalColumns {
    /// Consolidated person index (`Linkage::persons`).
    pub person: Vec<u32>,
    /// Settlement date as days since 1970-01-01; `None` for per-person total rows, which
    /// carry no date and are taken as already summed over the period.
    pub date: Vec<Option<i32>>,
    /// 个人自付, fen.
    pub out_of_pocket_cents: Vec<i64>,
    /// Person record index of each line, to name the lines behind a finding.
    pub record: Vec<u32>,
}

/// One person whose out-of-pocket total strictly exceeds the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MedicalTotal {
    pub person: u32,
    /// Sum in fen (cents): integer sums are exact and do not depend on summation order.
    pub total_cents: i64,
    pub lines: u32,
}

/// Days since the Unix epoch (1970-01-01). Read for every claim line: counted from the
/// common era, not by building the epoch and subtracting dates.
pub fn epoch_days(date: NaiveDate) -> i32 {
    /// 1970-01-01 counted from 0001-01-01 as day 1.
    const EPOCH_FROM_CE: i32 = 719_163;
    date.num_days_from_ce() - EPOCH_FROM_CE
}

/// Builds the medical columns from the claim lines of `lines` (record indices, in
/// order) that have an amount. Lines without 个人自付 cannot add anything and are left out.
pub fn medical_columns(
    records: &[PersonRecord],
    person_of: &[usize],
    lines: impl IntoIterator<Item = usize>,
) -> MedicalColumns {
    // Room for every line, reserved once: grown by doubling, the columns of a county's
    // millions of claim lines were copied on the way.
    let lines: Vec<usize> = lines.into_iter().collect();
    let room = lines.iter().map(|&i| records[i].lines()).sum();
    let mut cols = MedicalColumns {
        person: Vec::with_capacity(room),
        date: Vec::with_capacity(room),
        out_of_pocket_cents: Vec::with_capacity(room),
        record: Vec::with_capacity(room),
    };
    for index in lines {
        let Observation::Claims(claims) = &records[index].observation else {
            continue;
        };
        for claim in claims.iter() {
            let Some(cents) = claim.out_of_pocket_cents else {
                continue;
            };
            cols.person.push(person_of[index] as u32);
            cols.date.push(claim.settled.map(epoch_days));
            cols.out_of_pocket_cents.push(cents);
            cols.record.push(index as u32);
        }
    }
    cols
}

/// Sums 个人自付 (fen) per person (of `persons`, indexed from 0) over lines dated in
/// `[since, as_of]` (days since epoch; undated lines count) and returns the persons whose
/// total strictly exceeds `threshold` yuan, sorted by person.
///
/// Persons are dense indices, so each core adds its share of the lines into a total per
/// person and the shares are added up: no hashing and no copy of the columns (a polars
/// group-by did both, and took 209 ms on the 5 million lines of `benches/medical.rs`).
pub fn medical_totals_above(
    persons: usize,
    person: &[u32],
    date: &[Option<i32>],
    cents: &[i64],
    since: i32,
    as_of: i32,
    threshold: f64,
) -> Vec<MedicalTotal> {
    let share = person.len().div_ceil(rayon::current_num_threads()).max(1);
    let Some(sums) = person
        .par_chunks(share)
        .zip(date.par_chunks(share))
        .zip(cents.par_chunks(share))
        .map(|((person, date), cents)| {
            let mut sums = vec![(0i64, 0u32); persons];
            for ((&p, d), &c) in person.iter().zip(date).zip(cents) {
                if d.is_none_or(|d| since <= d && d <= as_of) {
                    let (total, lines) = &mut sums[p as usize];
                    *total = total.saturating_add(c);
                    *lines += 1;
                }
            }
            sums
        })
        .reduce_with(|mut a, b| {
            for ((total, lines), (t, n)) in a.iter_mut().zip(b) {
                *total = total.saturating_add(t);
                *lines += n;
            }
            a
        })
    else {
        return Vec::new();
    };
    let threshold = to_cents(threshold);
    sums.into_iter()
        .enumerate()
        .filter(|&(_, (total, lines))| lines > 0 && total > threshold)
        .map(|(p, (total_cents, lines))| MedicalTotal {
            person: p as u32,
            total_cents,
            lines,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Petitions, hotline, unemployment, emergency, children.

pub(super) fn contains_any(text: &str, words: &[String]) -> bool {
    words
        .iter()
        .any(|w| !w.is_empty() && text.contains(w.as_str()))
}

fn equals_any(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| w.trim() == text)
}

/// `text` contains one of `words` not negated by the character before it: `已办结` and
/// `办结` are finished, `未办结` and `待办结` are not. Department systems word their statuses
/// freely (`已办结`, `办结归档`, `已处理完毕`), so a whole-word match would miss most.
pub(super) fn contains_unnegated(text: &str, words: &[String]) -> bool {
    const NEGATIONS: [char; 6] = ['未', '待', '不', '没', '非', '无'];
    words.iter().filter(|w| !w.is_empty()).any(|w| {
        text.match_indices(w.as_str()).any(|(at, _)| {
            !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| NEGATIONS.contains(&c))
        })
    })
}

/// Petition about social assistance, or hotline order of a qualifying type, in the window.
pub fn request_qualifies(
    kind: SourceKind,
    request: &Request,
    settings: &RuleSettings,
    window: Window,
) -> bool {
    if !request.date.is_some_and(|d| window.contains(d)) {
        return false;
    }
    match kind {
        SourceKind::Petition => [&request.kind, &request.content]
            .into_iter()
            .flatten()
            .any(|t| contains_any(t, &settings.assistance_keywords)),
        SourceKind::Hotline => request
            .kind
            .as_deref()
            .is_some_and(|t| contains_any(t, &settings.hotline_types)),
        _ => false,
    }
}

/// A petition or hotline order in the window that complains about how a case was handled
/// (R07): its category or type is a complaint (投诉), or its content names conduct (态度,
/// 推诿 …). A complaint about conduct need not be about assistance: whoever handled it is a
/// township's staff.
pub fn request_is_conduct(request: &Request, settings: &RuleSettings, window: Window) -> bool {
    if !request.date.is_some_and(|d| window.contains(d)) {
        return false;
    }
    let typed = request
        .kind
        .as_deref()
        .is_some_and(|t| contains_any(t, &settings.conduct_types));
    let worded = request
        .content
        .as_deref()
        .is_some_and(|t| contains_any(t, &settings.conduct_keywords));
    typed || worded
}

/// Not finished and dated more than `overdue_days` before `as_of`. A finished status word
/// counts unless negated: `未办结` contains `办结`.
pub fn request_overdue(request: &Request, settings: &RuleSettings, as_of: NaiveDate) -> bool {
    let finished = request
        .status
        .as_deref()
        .is_some_and(|s| contains_unnegated(s, &settings.finished_statuses));
    !finished
        && request
            .date
            .is_some_and(|d| (as_of - d).num_days() > settings.overdue_days)
}

/// Currently registered unemployed. A blank status counts: the list is a register of the
/// unemployed; so does a status the county words its own way (`在册`), unless it says the
/// registration ended (`已就业`, `已注销`, `退休` …; `未就业` is still unemployed).
pub fn unemployed_current(unemployment: &Unemployment, settings: &RuleSettings) -> bool {
    unemployment.status.as_deref().is_none_or(|s| {
        equals_any(s, &settings.unemployed_statuses)
            || !contains_unnegated(s, &settings.ended_unemployment_statuses)
    })
}

/// The birth date any record of the person gives (the first, in record order).
fn linked_birth_date(input: &ScreeningInput<'_>, person: usize) -> Option<NaiveDate> {
    input.linkage.persons[person]
        .records
        .iter()
        .find_map(|&r| input.records[r].birth_date)
}

/// Under `age` on `as_of`: a child whose birthday `age` falls on `as_of` is not.
pub fn under_age(birth: NaiveDate, as_of: NaiveDate, age: u32) -> bool {
    birth
        .checked_add_months(Months::new(age * 12))
        .is_none_or(|adult| adult > as_of)
}

/// What a children-at-risk row says of one parent, after the parent's own records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentState {
    /// Dead, declared dead or missing: the status word decides, whatever else is known.
    Absent(String),
    /// Cannot support the child: status word, or a disability record under the
    /// children's programme's definition of 重残.
    Unable(String),
    /// Neither: the status as written, or `未填写`.
    Other(String),
}

impl ParentState {
    /// The state as the 依据 says it.
    pub fn words(&self) -> &str {
        match self {
            ParentState::Absent(s) | ParentState::Unable(s) | ParentState::Other(s) => s,
        }
    }
}

pub(crate) fn parent_state(
    status: Option<&str>,
    disability: Option<&Disability>,
    settings: &RuleSettings,
) -> ParentState {
    let status = status.map(str::trim).filter(|s| !s.is_empty());
    // `未死亡`, `非服刑` say the opposite of the word they contain.
    if let Some(s) = status.filter(|s| contains_unnegated(s, &settings.parent_absent_statuses)) {
        return ParentState::Absent(s.to_string());
    }
    if let Some(s) = status.filter(|s| contains_unnegated(s, &settings.parent_unable_statuses)) {
        return ParentState::Unable(s.to_string());
    }
    match disability {
        Some(d) => ParentState::Unable(format!("{}(残联记录)", evidence::disability_grade(d))),
        None => ParentState::Other(status.unwrap_or("未填写").to_string()),
    }
}

// ---------------------------------------------------------------------------------------
// Facts per consolidated person.

/// Grounds for a finding: one typed fact about a person, and the records behind it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grounds {
    pub fact: Fact,
    pub records: Vec<usize>,
}

impl Grounds {
    pub fn kind(&self) -> SourceKind {
        self.fact.source
    }
}

/// A children-at-risk row naming the person as a child under age.
#[derive(Debug, Clone)]
pub(crate) struct ChildCase {
    pub record: usize,
    pub father: ParentState,
    pub mother: ParentState,
    /// Parent records of the row, for the finding's record list.
    pub parents: Vec<usize>,
}

/// Everything the rules need to know about one person from the screening sources.
#[derive(Debug, Clone, Default)]
pub(crate) struct PersonFacts {
    /// Facts that qualify the person for screening (SPEC 3.2), any screening kind.
    pub qualifying: Vec<Grounds>,
    /// Out-of-pocket total above the threshold.
    pub seriously_ill: Option<Grounds>,
    /// Severe disability per the glossary, any issue date.
    pub severely_disabled: Vec<Grounds>,
    /// Agriculture monitoring subject records.
    pub monitored: Vec<Grounds>,
    /// Currently registered unemployed and not insured.
    pub uninsured_unemployed: Vec<Grounds>,
    /// Qualifying petitions and hotline orders that are overdue and unfinished.
    pub overdue_requests: Vec<Grounds>,
    /// Petitions and hotline orders complaining about conduct (R07), one clue each.
    pub conduct: Vec<Grounds>,
    pub children: Vec<ChildCase>,
}

impl PersonFacts {
    pub fn qualifies(&self) -> bool {
        !self.qualifying.is_empty()
    }
}

/// The facts of every consolidated person, by person index. Most persons (claim lines and
/// roll records only) have none, so a person's facts are allocated with his first one
/// instead of an empty `PersonFacts` (280 bytes) for each of a county's persons: the
/// rules stage is where a run's memory peaks.
pub(crate) struct Facts {
    by_person: Vec<Option<Box<PersonFacts>>>,
}

/// What a person without facts has.
static NO_FACTS: PersonFacts = PersonFacts {
    qualifying: Vec::new(),
    seriously_ill: None,
    severely_disabled: Vec::new(),
    monitored: Vec::new(),
    uninsured_unemployed: Vec::new(),
    overdue_requests: Vec::new(),
    conduct: Vec::new(),
    children: Vec::new(),
};

impl Facts {
    fn new(persons: usize) -> Facts {
        Facts {
            by_person: std::iter::repeat_with(|| None).take(persons).collect(),
        }
    }

    /// The person's facts, to add one.
    fn of_mut(&mut self, person: usize) -> &mut PersonFacts {
        self.by_person[person].get_or_insert_with(Box::default)
    }
}

impl std::ops::Index<usize> for Facts {
    type Output = PersonFacts;

    fn index(&self, person: usize) -> &PersonFacts {
        self.by_person[person].as_deref().unwrap_or(&NO_FACTS)
    }
}

/// Gathers the facts of every consolidated person.
pub(crate) fn assess(input: &ScreeningInput<'_>, stretches: &[Stretch]) -> Facts {
    let window = Window {
        since: input.since,
        as_of: input.as_of,
    };
    // The medical sum reads the claim lines, `record_facts` the screening records: a core
    // each.
    let (medical, mut facts) = rayon::join(
        || medical_facts(input, window, stretches),
        || record_facts(input, window, stretches),
    );
    for (person, fact) in medical {
        // The medical fact comes first among a person's grounds.
        let facts = facts.of_mut(person);
        facts.qualifying.insert(0, fact.clone());
        facts.seriously_ill = Some(fact);
    }
    facts
}

/// Every fact but the medical total, from the subject records in record order.
fn record_facts(input: &ScreeningInput<'_>, window: Window, stretches: &[Stretch]) -> Facts {
    let settings = input.settings;
    let mut facts = Facts::new(input.linkage.persons.len());
    let person_of = &input.linkage.person_of;
    let parents_of_row = parents_of_rows(input.records, stretches);

    for index in read_by(stretches, Pass::Facts) {
        let record = &input.records[index];
        if record.role != Role::Subject {
            continue;
        }
        let person = person_of[index];
        let subject = Subject { index, record };
        match &record.observation {
            Observation::Monitoring(monitoring) => {
                let f = subject.fact(FactDetail::Monitoring((**monitoring).clone()));
                let person = facts.of_mut(person);
                person.monitored.push(f.clone());
                person.qualifying.push(f);
            }
            Observation::Disability(d)
                if d.meets(settings.severe_grade_any, settings.severe_grade_mental) =>
            {
                add_disability(facts.of_mut(person), subject, d, window);
            }
            Observation::Request(request) => {
                if request_qualifies(record.kind, request, settings, window) {
                    add_request(facts.of_mut(person), subject, request, settings, window);
                }
                if request_is_conduct(request, settings, window) {
                    let f = subject.fact(FactDetail::Request((**request).clone()));
                    facts.of_mut(person).conduct.push(f);
                }
            }
            Observation::Unemployment(u) if unemployed_current(u, settings) => {
                add_unemployment(facts.of_mut(person), subject, u);
            }
            Observation::Emergency(e) => {
                if let Some(d) = e.date.filter(|d| window.contains(*d)) {
                    facts
                        .of_mut(person)
                        .qualifying
                        .push(subject.fact(FactDetail::Emergency {
                            emergency: (**e).clone(),
                            date: d,
                        }));
                }
            }
            Observation::Child(row) => {
                add_child(
                    facts.of_mut(person),
                    subject,
                    row,
                    &parents_of_row,
                    input,
                    window,
                );
            }
            // Medical is aggregated above; rolls are coverage, not screening.
            _ => {}
        }
    }
    facts
}

/// A screening record naming the person as its subject, being assessed.
#[derive(Clone, Copy)]
struct Subject<'a> {
    index: usize,
    record: &'a PersonRecord,
}

impl Subject<'_> {
    /// A fact this record gives.
    fn fact(self, detail: FactDetail) -> Grounds {
        Grounds {
            fact: Fact {
                source: self.record.kind,
                detail,
            },
            records: vec![self.index],
        }
    }
}

/// Parent records of each children row, found by the row they were read from.
fn parents_of_rows<'a>(
    records: &'a [PersonRecord],
    stretches: &[Stretch],
) -> HashMap<&'a SourceRef, Vec<usize>> {
    let mut parents_of_row: HashMap<&SourceRef, Vec<usize>> = HashMap::new();
    let parents = stretches
        .iter()
        .filter(|s| s.kind == SourceKind::Children && s.role != Role::Subject)
        .flat_map(|s| s.records.clone());
    for index in parents {
        parents_of_row
            .entry(&records[index].source)
            .or_default()
            .push(index);
    }
    parents_of_row
}

/// A severe disability: always known, qualifying when the certificate was issued in the window.
fn add_disability(person: &mut PersonFacts, subject: Subject<'_>, d: &Disability, window: Window) {
    let f = subject.fact(FactDetail::Disability(*d));
    if d.issued.is_some_and(|i| i >= window.since) {
        person.qualifying.push(f.clone());
    }
    person.severely_disabled.push(f);
}

/// A qualifying petition or hotline order, and whether it is overdue and unfinished.
fn add_request(
    person: &mut PersonFacts,
    subject: Subject<'_>,
    request: &Request,
    settings: &RuleSettings,
    window: Window,
) {
    let f = subject.fact(FactDetail::Request(request.clone()));
    if request_overdue(request, settings, window.as_of) {
        person.overdue_requests.push(f.clone());
    }
    person.qualifying.push(f);
}

/// A current registration as unemployed, and whether it is uninsured.
fn add_unemployment(person: &mut PersonFacts, subject: Subject<'_>, u: &Unemployment) {
    let f = subject.fact(FactDetail::Unemployment(u.clone()));
    if u.insured != Some(true) {
        person.uninsured_unemployed.push(f.clone());
    }
    person.qualifying.push(f);
}

/// A children-at-risk row naming the person as a child under age, with both parents'
/// states after their own records. A child known to be of age is left out.
fn add_child(
    person: &mut PersonFacts,
    subject: Subject<'_>,
    row: &ChildRow,
    parents_of_row: &HashMap<&SourceRef, Vec<usize>>,
    input: &ScreeningInput<'_>,
    window: Window,
) {
    let settings = input.settings;
    let (index, record) = (subject.index, subject.record);
    // The row's own ID or birth-date column, else any linked record of the child.
    let birth = record
        .birth_date
        .or_else(|| linked_birth_date(input, input.linkage.person_of[index]));
    // A child on the at-risk list whose age no record gives is kept: the list is a
    // list of children, and the evidence says the age is unknown.
    if birth.is_some_and(|b| !under_age(b, window.as_of, settings.child_age)) {
        return;
    }
    let parents = parents_of_row
        .get(&record.source)
        .cloned()
        .unwrap_or_default();
    let state = |role: Role, status: &Option<String>| {
        let disability = parents
            .iter()
            .filter(|&&p| input.records[p].role == role)
            .find_map(|&p| parent_disability(input, p));
        parent_state(status.as_deref(), disability.as_ref(), settings)
    };
    let case = ChildCase {
        record: index,
        father: state(Role::Father, &row.father_status),
        mother: state(Role::Mother, &row.mother_status),
        parents,
    };
    person.qualifying.push(subject.fact(FactDetail::Child {
        birth,
        child_age: settings.child_age,
        father: case.father.words().to_string(),
        mother: case.mother.words().to_string(),
    }));
    person.children.push(case);
}

/// The most severe disability record, under the children's programme's definition, of
/// the person a parent record links to.
fn parent_disability(input: &ScreeningInput<'_>, parent_record: usize) -> Option<Disability> {
    let settings = input.settings;
    let person = &input.linkage.persons[input.linkage.person_of[parent_record]];
    person
        .records
        .iter()
        .filter_map(|&r| match &input.records[r].observation {
            Observation::Disability(d) => Some(*d),
            _ => None,
        })
        .filter(|d| d.meets(settings.fuc_grade_any, settings.fuc_grade_mental))
        .min_by_key(|d| d.grade)
}

fn medical_facts(
    input: &ScreeningInput<'_>,
    window: Window,
    stretches: &[Stretch],
) -> Vec<(usize, Grounds)> {
    let cols = medical_columns(
        input.records,
        &input.linkage.person_of,
        read_by(stretches, Pass::Claims),
    );
    if cols.person.is_empty() {
        return Vec::new();
    }
    let (since, as_of) = (epoch_days(window.since), epoch_days(window.as_of));
    let totals = medical_totals_above(
        input.linkage.persons.len(),
        &cols.person,
        &cols.date,
        &cols.out_of_pocket_cents,
        since,
        as_of,
        input.settings.medical_threshold,
    );
    // The lines behind each total: a slot per person above the threshold, found by index
    // (a county's millions of claim lines would each hash their person otherwise).
    const NO_SLOT: u32 = u32::MAX;
    let mut slot_of = vec![NO_SLOT; input.linkage.persons.len()];
    for (slot, t) in totals.iter().enumerate() {
        slot_of[t.person as usize] = slot as u32;
    }
    let mut lines: Vec<Vec<usize>> = vec![Vec::new(); totals.len()];
    for i in 0..cols.person.len() {
        let dated_in = cols.date[i].is_none_or(|d| since <= d && d <= as_of);
        let slot = slot_of[cols.person[i] as usize];
        if slot != NO_SLOT && dated_in {
            lines[slot as usize].push(cols.record[i] as usize);
        }
    }
    totals
        .into_iter()
        .zip(lines)
        .map(|(t, mut records)| {
            // A record of several claim lines is named once.
            records.sort_unstable();
            records.dedup();
            let fact = Grounds {
                fact: Fact {
                    source: SourceKind::Medical,
                    detail: FactDetail::MedicalTotal {
                        since: window.since,
                        cents: t.total_cents,
                        lines: t.lines,
                    },
                },
                records,
            };
            (t.person as usize, fact)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DisabilityCategory as Category;

    /// Counted from the common era, a day is what subtracting the epoch gives, on every
    /// day from 1900 to 2100.
    #[test]
    fn epoch_days_are_days_since_1970() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let mut day = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        while day.year() < 2100 {
            assert_eq!(epoch_days(day) as i64, (day - epoch).num_days(), "{day}");
            day = day.succ_opt().unwrap();
        }
        assert_eq!(epoch_days(epoch), 0);
    }

    #[test]
    fn severity_definitions_differ_between_glossary_and_childrens_programme() {
        let grade4_mental = Disability {
            category: Some(Category::Mental),
            grade: Some(4),
            issued: None,
        };
        let settings = RuleSettings::default();
        assert!(!grade4_mental.meets(settings.severe_grade_any, settings.severe_grade_mental));
        assert!(grade4_mental.meets(settings.fuc_grade_any, settings.fuc_grade_mental));
    }

    #[test]
    fn age_is_counted_on_as_of() {
        let as_of = NaiveDate::from_ymd_opt(2021, 6, 30).unwrap();
        let born = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(!under_age(born(2003, 6, 30), as_of, 18));
        assert!(under_age(born(2003, 7, 1), as_of, 18));
        assert!(!under_age(born(2003, 6, 29), as_of, 18));
    }

    #[test]
    fn absent_status_wins_over_a_disability_record() {
        let settings = RuleSettings::default();
        let grade1 = Disability {
            category: Some(Category::Physical),
            grade: Some(1),
            issued: None,
        };
        assert_eq!(
            parent_state(Some("宣告死亡"), Some(&grade1), &settings),
            ParentState::Absent("宣告死亡".into())
        );
        assert_eq!(
            parent_state(Some("正常"), Some(&grade1), &settings),
            ParentState::Unable("一级肢体残疾(残联记录)".into())
        );
        assert_eq!(
            parent_state(None, None, &settings),
            ParentState::Other("未填写".into())
        );
    }
}
