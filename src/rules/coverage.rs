//! Coverage: which rolls a person is actively on at `as_of`, and whether he was aided by
//! temporary assistance in `[since, as_of]` (SPEC 3.2, assistance rolls; SPEC 6).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::qualify::{contains_unnegated, Grounds, Window};
use super::stretches::{read_by, Pass, Stretch};
use super::ScreeningInput;
use crate::config::RuleSettings;
use crate::model::{Fact, FactDetail, Observation, RollEntry, SourceKind};

/// One person's standing on the rolls.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Coverage {
    /// Active roll records by roll kind (dibao, tekun, orphan, fuc, low_income).
    pub active: BTreeMap<SourceKind, Vec<usize>>,
    /// Temporary-assistance records dated in the window.
    pub aided: Vec<usize>,
    /// Roll records that were not active on `as_of`, worded for the 依据: a clerk who finds
    /// the person on a roll needs to see why it did not count.
    pub lapsed: Vec<Grounds>,
}

impl Coverage {
    pub fn on(&self, kind: SourceKind) -> bool {
        self.active.contains_key(&kind)
    }

    pub fn on_any(&self, kinds: &[SourceKind]) -> bool {
        kinds.iter().any(|k| self.on(*k))
    }

    pub fn is_aided(&self) -> bool {
        !self.aided.is_empty()
    }

    /// The standing of two persons taken as one.
    pub fn joined_with(&self, other: &Coverage) -> Coverage {
        let mut joined = self.clone();
        for (kind, records) in &other.active {
            joined.active.entry(*kind).or_default().extend(records);
        }
        joined.aided.extend(&other.aided);
        joined.lapsed.extend(other.lapsed.iter().cloned());
        joined
    }

    /// Lapsed records of the given rolls.
    pub fn lapsed_on<'a>(&'a self, kinds: &'a [SourceKind]) -> impl Iterator<Item = &'a Grounds> {
        self.lapsed
            .iter()
            .filter(move |f| kinds.contains(&f.kind()))
    }
}

/// Activity is decided on the record: a stopped status still counts while the end date is on
/// or after `as_of`, an active status word counts on its own, and a blank (or unknown)
/// status lets the dates decide.
pub fn active_on(entry: &RollEntry, settings: &RuleSettings, as_of: NaiveDate) -> bool {
    let has = |words: &[String]| {
        entry
            .status
            .as_deref()
            .is_some_and(|s| contains_unnegated(s, words))
    };
    let end = entry.end;
    if has(&settings.stopped_statuses) {
        return end.is_some_and(|e| e >= as_of);
    }
    if has(&settings.active_statuses) {
        return true;
    }
    entry.start.is_none_or(|s| s <= as_of) && end.is_none_or(|e| e >= as_of)
}

/// A temporary-assistance record dated in the window (救助日期, else a start date).
pub fn aided_in(entry: &RollEntry, window: Window) -> bool {
    entry
        .aided
        .or(entry.start)
        .is_some_and(|d| window.contains(d))
}

pub(crate) fn coverage(input: &ScreeningInput<'_>, stretches: &[Stretch]) -> Vec<Coverage> {
    let window = Window {
        since: input.since,
        as_of: input.as_of,
    };
    let mut out = vec![Coverage::default(); input.linkage.persons.len()];
    for index in read_by(stretches, Pass::Rolls) {
        let record = &input.records[index];
        let Observation::Roll(entry) = &record.observation else {
            continue;
        };
        let person = &mut out[input.linkage.person_of[index]];
        if record.kind == SourceKind::TempAssistance {
            if aided_in(entry, window) {
                person.aided.push(index);
            }
        } else if active_on(entry, input.settings, input.as_of) {
            person.active.entry(record.kind).or_default().push(index);
        } else {
            person.lapsed.push(Grounds {
                fact: Fact {
                    source: record.kind,
                    detail: FactDetail::Lapsed {
                        entry: (**entry).clone(),
                        as_of: input.as_of,
                    },
                },
                records: vec![index],
            });
        }
    }
    out
}
