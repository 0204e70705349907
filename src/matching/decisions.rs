//! A person's verdicts on uncertain pairs (待复核), applied before consolidation: 同一人
//! links the pair whatever it scores, 不是同一人 keeps it apart. A pair is named by both
//! records' identity cells, not their rows, so a verdict outlives the extract it was made
//! on and lapses only when one side's identity cells change.

use std::collections::HashMap;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::FoundLink;
use crate::model::{LinkDecision, LinkVerdict, NearMiss, PersonRecord, QuestionId};

/// The verdicts in force, as the ledger holds them.
#[derive(Debug, Clone, Default)]
pub struct Verdicts {
    by_question: HashMap<QuestionId, LinkVerdict>,
}

impl Verdicts {
    pub fn new(verdicts: impl IntoIterator<Item = (QuestionId, LinkVerdict)>) -> Verdicts {
        Verdicts {
            by_question: verdicts.into_iter().collect(),
        }
    }

    pub fn get(&self, question: QuestionId) -> Option<LinkVerdict> {
        self.by_question.get(&question).copied()
    }

    fn deciding(&self) -> bool {
        self.by_question.values().any(|v| v.decides())
    }
}

/// The cells that say who a record is: what a person looked at to decide. Its kind and
/// role belong to it (a father's cells on a child list are not the child's); its row, file
/// name and observation do not.
fn identity(record: &PersonRecord) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut cell = |text: &str| {
        h.update(text.as_bytes());
        h.update([0x1f]);
    };
    cell(record.kind.key());
    cell(match record.role {
        crate::model::Role::Subject => "subject",
        crate::model::Role::Father => "father",
        crate::model::Role::Mother => "mother",
    });
    cell(record.name.as_ref().map_or("", |n| n.key.as_str()));
    cell(record.id.as_ref().map_or("", |id| id.digits.as_str()));
    cell(&record.birth_date.map(|d| d.to_string()).unwrap_or_default());
    cell(match record.sex {
        Some(crate::model::Sex::Male) => "m",
        Some(crate::model::Sex::Female) => "f",
        None => "",
    });
    let mut phones = record.phones().to_vec();
    phones.sort();
    cell(&phones.join(";"));
    cell(record.place.township.as_deref().unwrap_or(""));
    cell(record.place.village.as_deref().unwrap_or(""));
    h.finalize().into()
}

/// The question "are these two records one person?", the same whichever side is asked.
pub fn question_of(a: &PersonRecord, b: &PersonRecord) -> QuestionId {
    let (a, b) = (identity(a), identity(b));
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let digest = Sha256::new()
        .chain_update(low)
        .chain_update(high)
        .finalize();
    let mut top = [0u8; 8];
    top.copy_from_slice(&digest[..8]);
    QuestionId(u64::from_be_bytes(top) >> (64 - QuestionId::BITS))
}

/// The fuzzy links after the verdicts, each with the decision it now carries.
pub(super) struct Decided<'a> {
    pub links: Vec<(&'a FoundLink, LinkDecision)>,
    /// Pairs a 不是同一人 took out: the clerk still sees them as the nearest candidate.
    pub kept_apart: Vec<NearMiss>,
    pub confirmed: usize,
}

/// Applies `verdicts` to `links` (each pair once, in link order). A 同一人 pair is
/// confirmed, and its query's other uncertain candidates are dropped: the person said
/// which one it is. A 不是同一人 pair is dropped, accepted or not.
pub(super) fn apply<'a>(
    records: &[PersonRecord],
    links: Vec<&'a FoundLink>,
    verdicts: &Verdicts,
) -> Decided<'a> {
    if !verdicts.deciding() {
        return Decided {
            links: links.into_iter().map(|l| (l, l.decision)).collect(),
            kept_apart: Vec::new(),
            confirmed: 0,
        };
    }
    let said: Vec<Option<LinkVerdict>> = links
        .par_iter()
        .map(|l| {
            let (a, b) = l.pair();
            verdicts.get(question_of(&records[a as usize], &records[b as usize]))
        })
        .collect();
    let mut confirmed_queries: Vec<u32> = links
        .iter()
        .zip(&said)
        .filter(|(_, v)| **v == Some(LinkVerdict::SamePerson))
        .map(|(l, _)| l.query)
        .collect();
    confirmed_queries.sort_unstable();
    let mut decided = Decided {
        links: Vec::with_capacity(links.len()),
        kept_apart: Vec::new(),
        confirmed: 0,
    };
    for (link, verdict) in links.into_iter().zip(said) {
        match verdict {
            Some(LinkVerdict::SamePerson) => {
                decided.confirmed += 1;
                decided.links.push((link, LinkDecision::Confirmed));
            }
            Some(LinkVerdict::NotSamePerson) => decided.kept_apart.push(NearMiss {
                record: link.query as usize,
                candidate: link.candidate as usize,
                score: (link.score * 100.0).round() / 100.0,
            }),
            _ if link.decision == LinkDecision::Uncertain
                && confirmed_queries.binary_search(&link.query).is_ok() => {}
            _ => decided.links.push((link, link.decision)),
        }
    }
    decided
}
